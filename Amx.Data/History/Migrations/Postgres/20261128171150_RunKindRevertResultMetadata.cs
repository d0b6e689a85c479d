using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amx.Data.History.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RunKindRevertResultMetadata : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "reverted_at",
                table: "amx_history_runs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reverted_by",
                table: "amx_history_runs",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "run_kind",
                table: "amx_history_runs",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "draft");

            migrationBuilder.AddColumn<string>(
                name: "metadata_json",
                table: "amx_history_results",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "reverted_at",
                table: "amx_history_results",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reverted_by",
                table: "amx_history_results",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "reverted_at",
                table: "amx_history_runs");

            migrationBuilder.DropColumn(
                name: "reverted_by",
                table: "amx_history_runs");

            migrationBuilder.DropColumn(
                name: "run_kind",
                table: "amx_history_runs");

            migrationBuilder.DropColumn(
                name: "metadata_json",
                table: "amx_history_results");

            migrationBuilder.DropColumn(
                name: "reverted_at",
                table: "amx_history_results");

            migrationBuilder.DropColumn(
                name: "reverted_by",
                table: "amx_history_results");
        }
    }
}
