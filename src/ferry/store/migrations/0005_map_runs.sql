-- 0005: Map Runs of Distributed Map states and the child executions they started.
-- A Map Run keeps its processor definition: its STANDARD children are executions of a state
-- machine (``<machine>/<label>``) that is not in state_machines, so the durable runner finds
-- their definition here (the child's revision_id is its Map Run's ARN). No foreign key to
-- executions: a Map Run outlives nothing, but its parent may be an in-flight test fixture.
-- Counts are JSON text ({"pending": n, "running": n, ...}) as DescribeMapRun shows them.

CREATE TABLE map_runs (
    arn TEXT PRIMARY KEY,
    execution_arn TEXT NOT NULL,
    machine_arn TEXT NOT NULL,
    definition TEXT NOT NULL,
    execution_type TEXT NOT NULL,
    status TEXT NOT NULL,
    start_date DOUBLE PRECISION NOT NULL,
    stop_date DOUBLE PRECISION,
    max_concurrency INTEGER NOT NULL,
    tolerated_failure_count BIGINT NOT NULL,
    tolerated_failure_percentage DOUBLE PRECISION NOT NULL,
    item_counts TEXT NOT NULL,
    execution_counts TEXT NOT NULL,
    redrive_count INTEGER NOT NULL DEFAULT 0,
    redrive_date DOUBLE PRECISION
);

CREATE INDEX map_runs_by_execution ON map_runs (execution_arn, start_date, arn);

-- One row per child (an item, or a batch of items): started, then finished. A finished row
-- keeps the child's input and result, so a Map Run resumed after a crash neither starts the
-- child again nor loses its output.
CREATE TABLE map_run_children (
    map_run_arn TEXT NOT NULL REFERENCES map_runs (arn) ON DELETE CASCADE,
    item_index BIGINT NOT NULL,
    execution_arn TEXT NOT NULL,
    items INTEGER NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT,
    error TEXT,
    cause TEXT,
    start_date DOUBLE PRECISION NOT NULL,
    stop_date DOUBLE PRECISION,
    PRIMARY KEY (map_run_arn, item_index)
);

CREATE INDEX map_run_children_by_status ON map_run_children (map_run_arn, status);

CREATE INDEX map_run_children_by_execution ON map_run_children (execution_arn);
