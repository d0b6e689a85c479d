-- amx history store for BigQuery, dataset Amx.
-- BigQuery keys are NOT ENFORCED and it has no indexes: results are clustered by run_id, target_qname.
-- amx_history_locks holds amx's run claims and apply lease (no session locks over the REST API).

CREATE SCHEMA IF NOT EXISTS `Amx`;

CREATE TABLE IF NOT EXISTS `Amx.amx_history_runs` (
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
    ok_count INT64 NOT NULL,
    fail_count INT64 NOT NULL,
    applied_at TIMESTAMP,
    applied_by STRING,
    metadata_json STRING,
    run_kind STRING NOT NULL,
    reverted_at TIMESTAMP,
    reverted_by STRING,
    PRIMARY KEY (run_id) NOT ENFORCED
);

CREATE TABLE IF NOT EXISTS `Amx.amx_history_results` (
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
    applied BOOL NOT NULL DEFAULT FALSE,
    applied_at TIMESTAMP,
    applied_by STRING,
    apply_status STRING,
    error STRING,
    reverted_at TIMESTAMP,
    reverted_by STRING,
    metadata_json STRING,
    PRIMARY KEY (run_id, target_qname) NOT ENFORCED
)
CLUSTER BY run_id, target_qname;

CREATE TABLE IF NOT EXISTS `Amx.amx_history_migrations` (
    migration_id STRING NOT NULL,
    product_version STRING NOT NULL,
    PRIMARY KEY (migration_id) NOT ENFORCED
);

CREATE TABLE IF NOT EXISTS `Amx.amx_history_locks` (
    lock_name STRING NOT NULL,
    holder STRING NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

INSERT INTO `Amx.amx_history_migrations` (migration_id, product_version) SELECT '20261126113651_InitialCreate', 'amx-bigquery-ddl' WHERE NOT EXISTS (SELECT 1 FROM `Amx.amx_history_migrations` WHERE migration_id = '20261126113651_InitialCreate');
INSERT INTO `Amx.amx_history_migrations` (migration_id, product_version) SELECT '20261128171150_RunKindRevertResultMetadata', 'amx-bigquery-ddl' WHERE NOT EXISTS (SELECT 1 FROM `Amx.amx_history_migrations` WHERE migration_id = '20261128171150_RunKindRevertResultMetadata');
INSERT INTO `Amx.amx_history_migrations` (migration_id, product_version) SELECT '20261129081150_DropResultsRunIdIndex', 'amx-bigquery-ddl' WHERE NOT EXISTS (SELECT 1 FROM `Amx.amx_history_migrations` WHERE migration_id = '20261129081150_DropResultsRunIdIndex');
