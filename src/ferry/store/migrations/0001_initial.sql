-- 0001: the initial schema, shared by SQLite and PostgreSQL.
-- Times are epoch seconds (DOUBLE PRECISION). JSON is TEXT on both: the store never queries
-- inside it, and TEXT hands back exactly the bytes that went in (JSONB would re-serialise).

CREATE TABLE state_machines (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    definition TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    tags TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    updated DOUBLE PRECISION NOT NULL
);

-- Every revision's definition, so an execution can be described against the one it ran.
CREATE TABLE state_machine_revisions (
    machine_arn TEXT NOT NULL REFERENCES state_machines (arn) ON DELETE CASCADE,
    revision_id TEXT NOT NULL,
    definition TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (machine_arn, revision_id)
);

-- No foreign key to state_machines: on AWS an execution outlives its deleted machine.
CREATE TABLE executions (
    arn TEXT PRIMARY KEY,
    machine_arn TEXT NOT NULL,
    name TEXT NOT NULL,
    revision_id TEXT,
    input TEXT NOT NULL,
    status TEXT NOT NULL,
    output TEXT,
    error TEXT,
    cause TEXT,
    start_date DOUBLE PRECISION NOT NULL,
    stop_date DOUBLE PRECISION,
    redrive_count INTEGER NOT NULL DEFAULT 0,
    redrive_date DOUBLE PRECISION,
    state TEXT NOT NULL,
    owner TEXT,
    lease_until DOUBLE PRECISION,
    UNIQUE (machine_arn, name)
);

CREATE INDEX executions_by_machine ON executions (machine_arn, start_date, arn);

CREATE INDEX executions_by_lease ON executions (status, lease_until);

CREATE TABLE history_events (
    execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
    event_id BIGINT NOT NULL,
    type TEXT NOT NULL,
    timestamp DOUBLE PRECISION NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_arn, event_id)
);

CREATE TABLE timers (
    execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
    timer_id BIGINT NOT NULL,
    due DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (execution_arn, timer_id)
);

CREATE INDEX timers_by_due ON timers (due);

CREATE TABLE task_tokens (
    token TEXT PRIMARY KEY,
    execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
    task_id BIGINT NOT NULL,
    issued DOUBLE PRECISION NOT NULL,
    heartbeat_seconds DOUBLE PRECISION,
    heartbeat_at DOUBLE PRECISION NOT NULL,
    settled DOUBLE PRECISION
);

CREATE INDEX task_tokens_by_execution ON task_tokens (execution_arn, task_id);
