-- 0003: activities (CreateActivity) and the activity tasks waiting for a worker's
-- GetActivityTask, shared by SQLite and PostgreSQL.
-- An activity task hangs off its task token: when the execution goes, the token goes, and the
-- task with it. A claimed, answered or ended task is deleted, so the table holds only tasks a
-- worker may still take.

CREATE TABLE activities (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    tags TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL
);

CREATE TABLE activity_tasks (
    token TEXT PRIMARY KEY REFERENCES task_tokens (token) ON DELETE CASCADE,
    activity_arn TEXT NOT NULL,
    execution_arn TEXT NOT NULL,
    task_id BIGINT NOT NULL,
    input TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL
);

CREATE INDEX activity_tasks_by_activity ON activity_tasks (activity_arn, created, token);

CREATE INDEX activity_tasks_by_execution ON activity_tasks (execution_arn);
