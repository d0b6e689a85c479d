using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amx.Data.History.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "amx_history_results",
                columns: table => new
                {
                    run_id = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    target_qname = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    target_kind = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    description = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    alternatives = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    confidence = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    previous_comment = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    decision = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    reviewed_by = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    reviewed_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    applied = table.Column<bool>(type: "bit", nullable: false, defaultValue: false),
                    applied_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    applied_by = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    apply_status = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    error = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_amx_history_results", x => new { x.run_id, x.target_qname });
                });

            migrationBuilder.CreateTable(
                name: "amx_history_runs",
                columns: table => new
                {
                    run_id = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    who = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    host = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    client_version = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    started_at = table.Column<DateTime>(type: "datetime2", nullable: false),
                    finished_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    scope = table.Column<string>(type: "nvarchar(1024)", maxLength: 1024, nullable: false),
                    db_profile = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    db_backend = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: true),
                    llm_provider = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    llm_model = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    state = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    ok_count = table.Column<int>(type: "int", nullable: false),
                    fail_count = table.Column<int>(type: "int", nullable: false),
                    applied_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    applied_by = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    metadata_json = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_amx_history_runs", x => x.run_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_amx_history_results_run_id",
                table: "amx_history_results",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "ix_amx_history_results_target",
                table: "amx_history_results",
                column: "target_qname");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "amx_history_results");

            migrationBuilder.DropTable(
                name: "amx_history_runs");
        }
    }
}
