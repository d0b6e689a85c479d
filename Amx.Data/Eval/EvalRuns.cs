using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;

namespace Amx.Data.Eval;

/// <summary>
/// An eval run's drafts were written with the human comments hidden, to be scored, never applied: the verbs that
/// decide, write or ship drafts (review, apply, revert, run --resume, export) refuse one with exit 2.
/// </summary>
public static class EvalRuns
{
    public static void Refuse(HistoryRun run, string verb)
    {
        if (run.RunKind != RunKinds.Eval) return;
        var scope = run.Scope == "*" ? "SCOPE" : run.Scope;
        throw AmxException.BadInput(
            $"run {run.RunId} is an eval run (amx eval): its drafts are scored against hidden comments, not for {verb}",
            $"see its scores with: amx history show {run.RunId}; draft for review with: amx run {scope}");
    }

    /// <summary>Reads the run and refuses it when it is an eval (unknown runs fail as usual, exit 2).</summary>
    public static async Task RefuseAsync(HistoryStore store, string runId, string verb, CancellationToken ct) =>
        Refuse(await store.FindRunAsync(runId, ct), verb);
}
