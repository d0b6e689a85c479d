-- amx history store for Amazon Redshift, schema amx.
-- Redshift does not enforce PRIMARY KEY constraints and has no indexes: results use DISTKEY/SORTKEY on run_id.
-- amx_history_locks is what amx LOCKs (Redshift has no advisory locks) and where it keeps run claims.

CREATE SCHEMA IF NOT EXISTS amx;

CREATE TABLE IF NOT EXISTS amx.amx_history_runs (
    run_id VARCHAR(40) NOT NULL,
    who VARCHAR(256) NOT NULL,
    host VARCHAR(256),
    client_version VARCHAR(256),
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    scope VARCHAR(1024) NOT NULL,
    db_profile VARCHAR(256),
    db_backend VARCHAR(256),
    llm_provider VARCHAR(256),
    llm_model VARCHAR(256),
    state VARCHAR(256) NOT NULL,
    ok_count INTEGER NOT NULL,
    fail_count INTEGER NOT NULL,
    applied_at TIMESTAMPTZ,
    applied_by VARCHAR(256),
    metadata_json VARCHAR(65535),
    run_kind VARCHAR(256) NOT NULL,
    reverted_at TIMESTAMPTZ,
    reverted_by VARCHAR(256),
    CONSTRAINT pk_amx_history_runs PRIMARY KEY (run_id)
);

CREATE TABLE IF NOT EXISTS amx.amx_history_results (
    run_id VARCHAR(40) NOT NULL,
    target_qname VARCHAR(400) NOT NULL,
    target_kind VARCHAR(256) NOT NULL,
    description VARCHAR(65535),
    alternatives VARCHAR(65535),
    confidence VARCHAR(256),
    previous_comment VARCHAR(65535),
    decision VARCHAR(256) NOT NULL,
    reviewed_by VARCHAR(256),
    reviewed_at TIMESTAMPTZ,
    applied BOOLEAN NOT NULL DEFAULT FALSE,
    applied_at TIMESTAMPTZ,
    applied_by VARCHAR(256),
    apply_status VARCHAR(256),
    error VARCHAR(65535),
    reverted_at TIMESTAMPTZ,
    reverted_by VARCHAR(256),
    metadata_json VARCHAR(65535),
    CONSTRAINT pk_amx_history_results PRIMARY KEY (run_id, target_qname)
)
DISTKEY (run_id)
SORTKEY (run_id, target_qname);

CREATE TABLE IF NOT EXISTS amx.amx_history_migrations (
    migration_id VARCHAR(1024) NOT NULL,
    product_version VARCHAR(256) NOT NULL,
    CONSTRAINT pk_amx_history_migrations PRIMARY KEY (migration_id)
);

CREATE TABLE IF NOT EXISTS amx.amx_history_locks (
    lock_name VARCHAR(400) NOT NULL,
    holder VARCHAR(256) NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

INSERT INTO amx.amx_history_migrations (migration_id, product_version) SELECT '20261126113651_InitialCreate', 'amx-redshift-ddl' WHERE NOT EXISTS (SELECT 1 FROM amx.amx_history_migrations WHERE migration_id = '20261126113651_InitialCreate');
INSERT INTO amx.amx_history_migrations (migration_id, product_version) SELECT '20261128171150_RunKindRevertResultMetadata', 'amx-redshift-ddl' WHERE NOT EXISTS (SELECT 1 FROM amx.amx_history_migrations WHERE migration_id = '20261128171150_RunKindRevertResultMetadata');
INSERT INTO amx.amx_history_migrations (migration_id, product_version) SELECT '20261129081150_DropResultsRunIdIndex', 'amx-redshift-ddl' WHERE NOT EXISTS (SELECT 1 FROM amx.amx_history_migrations WHERE migration_id = '20261129081150_DropResultsRunIdIndex');
