-- 0004: state machine versions, aliases, and which version/alias an execution started from.
-- Versions point at a stored revision (state_machine_revisions keeps its definition); their
-- numbers are never reused after a deletion (AWS: version 3 follows a deleted version 2), so
-- the last number handed out is kept per machine.

CREATE TABLE state_machine_versions (
    machine_arn TEXT NOT NULL REFERENCES state_machines (arn) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    revision_id TEXT NOT NULL,
    description TEXT,
    created DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (machine_arn, version)
);

CREATE INDEX state_machine_versions_by_revision ON state_machine_versions (machine_arn, revision_id);

CREATE TABLE state_machine_version_counters (
    machine_arn TEXT PRIMARY KEY REFERENCES state_machines (arn) ON DELETE CASCADE,
    last_version INTEGER NOT NULL
);

-- routing is JSON text: [[version, weight], ...] (one or two entries).
CREATE TABLE state_machine_aliases (
    machine_arn TEXT NOT NULL REFERENCES state_machines (arn) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    routing TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    updated DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (machine_arn, name)
);

CREATE TABLE execution_origins (
    execution_arn TEXT PRIMARY KEY REFERENCES executions (arn) ON DELETE CASCADE,
    version_arn TEXT,
    alias_arn TEXT
);
