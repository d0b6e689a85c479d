-- amx history store for Databricks (Delta tables), schema amx.
-- Unity Catalog PRIMARY KEY constraints are informational (not enforced); Delta has no secondary indexes.
-- amx_history_locks holds amx's run claims and apply lease (no session locks over the SQL API).

CREATE SCHEMA IF NOT EXISTS `amx`;

CREATE TABLE IF NOT EXISTS `amx`.amx_history_runs (
    run_id STRING NOT NULL,
    who STRING NOT NULL,
    host STRING,
    client_version STRING,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    scope STRING NOT NULL,
    db_profile STRING,
    db_backend STRING,
    llm_provider STRING,
    llm_model STRING,
    state STRING NOT NULL,
    ok_count INT NOT NULL,
    fail_count INT NOT NULL,
    applied_at TIMESTAMP,
    applied_by STRING,
    metadata_json STRING,
    run_kind STRING NOT NULL,
    reverted_at TIMESTAMP,
    reverted_by STRING,
    CONSTRAINT pk_amx_history_runs PRIMARY KEY (run_id)
)
USING DELTA
TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported');

CREATE TABLE IF NOT EXISTS `amx`.amx_history_results (
    run_id STRING NOT NULL,
    target_qname STRING NOT NULL,
    target_kind STRING NOT NULL,
    description STRING,
    alternatives STRING,
    confidence STRING,
    previous_comment STRING,
    decision STRING NOT NULL,
    reviewed_by STRING,
    reviewed_at TIMESTAMP,
    applied BOOLEAN NOT NULL DEFAULT FALSE,
    applied_at TIMESTAMP,
    applied_by STRING,
    apply_status STRING,
    error STRING,
    reverted_at TIMESTAMP,
    reverted_by STRING,
    metadata_json STRING,
    CONSTRAINT pk_amx_history_results PRIMARY KEY (run_id, target_qname)
)
USING DELTA
TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported');

CREATE TABLE IF NOT EXISTS `amx`.amx_history_migrations (
    migration_id STRING NOT NULL,
    product_version STRING NOT NULL,
    CONSTRAINT pk_amx_history_migrations PRIMARY KEY (migration_id)
)
USING DELTA
TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported');

CREATE TABLE IF NOT EXISTS `amx`.amx_history_locks (
    lock_name STRING NOT NULL,
    holder STRING NOT NULL,
    expires_at TIMESTAMP NOT NULL
)
USING DELTA
TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported');

INSERT INTO `amx`.amx_history_migrations (migration_id, product_version) SELECT '20261126113651_InitialCreate', 'amx-databricks-ddl' WHERE NOT EXISTS (SELECT 1 FROM `amx`.amx_history_migrations WHERE migration_id = '20261126113651_InitialCreate');
INSERT INTO `amx`.amx_history_migrations (migration_id, product_version) SELECT '20261128171150_RunKindRevertResultMetadata', 'amx-databricks-ddl' WHERE NOT EXISTS (SELECT 1 FROM `amx`.amx_history_migrations WHERE migration_id = '20261128171150_RunKindRevertResultMetadata');
INSERT INTO `amx`.amx_history_migrations (migration_id, product_version) SELECT '20261129081150_DropResultsRunIdIndex', 'amx-databricks-ddl' WHERE NOT EXISTS (SELECT 1 FROM `amx`.amx_history_migrations WHERE migration_id = '20261129081150_DropResultsRunIdIndex');
