-- amx history store for Snowflake, schema AMX.
-- Snowflake records PRIMARY KEY constraints without enforcing them and has no secondary indexes.
-- amx_history_locks holds amx's run claims and apply lease (Snowflake has no advisory locks).

CREATE SCHEMA IF NOT EXISTS AMX;

CREATE TABLE IF NOT EXISTS AMX.amx_history_runs (
    run_id VARCHAR(40) NOT NULL,
    who VARCHAR(256) NOT NULL,
    host VARCHAR(256),
    client_version VARCHAR(256),
    started_at TIMESTAMP_TZ NOT NULL,
    finished_at TIMESTAMP_TZ,
    scope VARCHAR(1024) NOT NULL,
    db_profile VARCHAR(256),
    db_backend VARCHAR(256),
    llm_provider VARCHAR(256),
    llm_model VARCHAR(256),
    state VARCHAR(256) NOT NULL,
    ok_count NUMBER(10,0) NOT NULL,
    fail_count NUMBER(10,0) NOT NULL,
    applied_at TIMESTAMP_TZ,
    applied_by VARCHAR(256),
    metadata_json VARCHAR,
    run_kind VARCHAR(256) NOT NULL,
    reverted_at TIMESTAMP_TZ,
    reverted_by VARCHAR(256),
    CONSTRAINT pk_amx_history_runs PRIMARY KEY (run_id)
);

CREATE TABLE IF NOT EXISTS AMX.amx_history_results (
    run_id VARCHAR(40) NOT NULL,
    target_qname VARCHAR(400) NOT NULL,
    target_kind VARCHAR(256) NOT NULL,
    description VARCHAR,
    alternatives VARCHAR,
    confidence VARCHAR(256),
    previous_comment VARCHAR,
    decision VARCHAR(256) NOT NULL,
    reviewed_by VARCHAR(256),
    reviewed_at TIMESTAMP_TZ,
    applied BOOLEAN NOT NULL DEFAULT FALSE,
    applied_at TIMESTAMP_TZ,
    applied_by VARCHAR(256),
    apply_status VARCHAR(256),
    error VARCHAR,
    reverted_at TIMESTAMP_TZ,
    reverted_by VARCHAR(256),
    metadata_json VARCHAR,
    CONSTRAINT pk_amx_history_results PRIMARY KEY (run_id, target_qname)
);

CREATE TABLE IF NOT EXISTS AMX.amx_history_migrations (
    migration_id VARCHAR(1024) NOT NULL,
    product_version VARCHAR(256) NOT NULL,
    CONSTRAINT pk_amx_history_migrations PRIMARY KEY (migration_id)
);

CREATE TABLE IF NOT EXISTS AMX.amx_history_locks (
    lock_name VARCHAR(400) NOT NULL,
    holder VARCHAR(256) NOT NULL,
    expires_at TIMESTAMP_TZ NOT NULL
);

INSERT INTO AMX.amx_history_migrations (migration_id, product_version) SELECT '20261126113651_InitialCreate', 'amx-snowflake-ddl' WHERE NOT EXISTS (SELECT 1 FROM AMX.amx_history_migrations WHERE migration_id = '20261126113651_InitialCreate');
INSERT INTO AMX.amx_history_migrations (migration_id, product_version) SELECT '20261128171150_RunKindRevertResultMetadata', 'amx-snowflake-ddl' WHERE NOT EXISTS (SELECT 1 FROM AMX.amx_history_migrations WHERE migration_id = '20261128171150_RunKindRevertResultMetadata');
INSERT INTO AMX.amx_history_migrations (migration_id, product_version) SELECT '20261129081150_DropResultsRunIdIndex', 'amx-snowflake-ddl' WHERE NOT EXISTS (SELECT 1 FROM AMX.amx_history_migrations WHERE migration_id = '20261129081150_DropResultsRunIdIndex');
