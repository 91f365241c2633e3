-- 0002 (PostgreSQL): execution signals, an inbox per execution. Other processes (StopExecution,
-- SendTaskSuccess/Failure/Heartbeat, the CLI) push events here; the execution's lease owner
-- reads them and deletes each in the commit_step of the step it caused.
-- BIGSERIAL: a sequence never hands out an id twice, even after the row is deleted.

CREATE TABLE execution_signals (
    id BIGSERIAL PRIMARY KEY,
    execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL
);

CREATE INDEX execution_signals_by_execution ON execution_signals (execution_arn, id);
