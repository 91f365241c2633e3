-- 0002 (SQLite): execution signals, an inbox per execution. Other processes (StopExecution,
-- SendTaskSuccess/Failure/Heartbeat, the CLI) push events here; the execution's lease owner
-- reads them and deletes each in the commit_step of the step it caused.
-- AUTOINCREMENT, not a bare rowid: consumed signals are deleted, and a plain rowid would hand
-- the highest deleted id to the next signal, so an id a crashed owner remembered could name a
-- different signal. AUTOINCREMENT never reuses an id.

CREATE TABLE execution_signals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL
);

CREATE INDEX execution_signals_by_execution ON execution_signals (execution_arn, id);
