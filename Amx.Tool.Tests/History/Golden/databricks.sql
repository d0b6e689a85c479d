-- amx history store for Databricks (Delta tables), schema amx.
-- Unity Catalog PRIMARY KEY constraints are informational (not enforced); Delta has no secondary indexes.

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

