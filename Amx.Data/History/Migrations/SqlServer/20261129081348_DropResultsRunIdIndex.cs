using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amx.Data.History.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class DropResultsRunIdIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_amx_history_results_run_id",
                table: "amx_history_results");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_amx_history_results_run_id",
                table: "amx_history_results",
                column: "run_id");
        }
    }
}
