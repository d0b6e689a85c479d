CREATE TABLE IF NOT EXISTS "amx_history_migrations" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK_amx_history_migrations" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
);

BEGIN TRANSACTION;
CREATE TABLE "amx_history_results" (
    "run_id" TEXT NOT NULL,
    "target_qname" TEXT NOT NULL,
    "target_kind" TEXT NOT NULL,
    "description" TEXT NULL,
    "alternatives" TEXT NULL,
    "confidence" TEXT NULL,
    "previous_comment" TEXT NULL,
    "decision" TEXT NOT NULL,
    "reviewed_by" TEXT NULL,
    "reviewed_at" TEXT NULL,
    "applied" INTEGER NOT NULL DEFAULT 0,
    "applied_at" TEXT NULL,
    "applied_by" TEXT NULL,
    "apply_status" TEXT NULL,
    "error" TEXT NULL,
    CONSTRAINT "pk_amx_history_results" PRIMARY KEY ("run_id", "target_qname")
);

CREATE TABLE "amx_history_runs" (
    "run_id" TEXT NOT NULL CONSTRAINT "pk_amx_history_runs" PRIMARY KEY,
    "who" TEXT NOT NULL,
    "host" TEXT NULL,
    "client_version" TEXT NULL,
    "started_at" TEXT NOT NULL,
    "finished_at" TEXT NULL,
    "scope" TEXT NOT NULL,
    "db_profile" TEXT NULL,
    "db_backend" TEXT NULL,
    "llm_provider" TEXT NULL,
    "llm_model" TEXT NULL,
    "state" TEXT NOT NULL,
    "ok_count" INTEGER NOT NULL,
    "fail_count" INTEGER NOT NULL,
    "applied_at" TEXT NULL,
    "applied_by" TEXT NULL,
    "metadata_json" TEXT NULL
);

CREATE INDEX "ix_amx_history_results_run_id" ON "amx_history_results" ("run_id");

CREATE INDEX "ix_amx_history_results_target" ON "amx_history_results" ("target_qname");

INSERT INTO "amx_history_migrations" ("MigrationId", "ProductVersion")
VALUES ('20261126113658_InitialCreate', '9.0.23');

ALTER TABLE "amx_history_runs" ADD "reverted_at" TEXT NULL;

ALTER TABLE "amx_history_runs" ADD "reverted_by" TEXT NULL;

ALTER TABLE "amx_history_runs" ADD "run_kind" TEXT NOT NULL DEFAULT 'draft';

ALTER TABLE "amx_history_results" ADD "metadata_json" TEXT NULL;

ALTER TABLE "amx_history_results" ADD "reverted_at" TEXT NULL;

ALTER TABLE "amx_history_results" ADD "reverted_by" TEXT NULL;

INSERT INTO "amx_history_migrations" ("MigrationId", "ProductVersion")
VALUES ('20261128171251_RunKindRevertResultMetadata', '9.0.23');

DROP INDEX "ix_amx_history_results_run_id";

INSERT INTO "amx_history_migrations" ("MigrationId", "ProductVersion")
VALUES ('20261129081441_DropResultsRunIdIndex', '9.0.23');

COMMIT;
