using GitPromote.TestSupport;
namespace GitPromote.IntegrationTests;

/// <summary>
/// Revocations and approvals decided by the server guard (<c>git promote install --server</c> on stg.git), pushed to with
/// <c>--no-verify</c> over file://: stg's own records are read in the server repository itself, dev's from its remote.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class GuardrailServerTests(InstalledGitPromote installed) : IDisposable
{
    private static readonly Dictionary<string, string?> AsBob = new() { ["GIT_COMMITTER_NAME"] = "Bob Reviewer", ["GIT_COMMITTER_EMAIL"] = "bob@example.com" };
    /// <summary>How Gitea names the pusher to hooks; the server reads it (a plain file:// push names only the account).</summary>
    private static readonly Dictionary<string, string?> DanaOnGitea = new() { ["GITEA_PUSHER_NAME"] = "dana", ["GITEA_PUSHER_EMAIL"] = "dana@example.com" };
    /// <summary>Bob approving from his clone, and so pushing his approval as himself.</summary>
    private static readonly Dictionary<string, string?> BobOnGitea = new(AsBob) { ["GITEA_PUSHER_NAME"] = "bob", ["GITEA_PUSHER_EMAIL"] = "bob@example.com" };
    /// <summary>The pipeline's account, the one listed in promote.recorders.</summary>
    private static readonly Dictionary<string, string?> AsPipeline = new() { ["GL_USER"] = "pipeline" };
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    private string Stg => Path.Combine(_s.Root, "stg.git");

    private string Server(string policy = TestPolicies.StandardYaml) => _s.GuardedStgServer(policy);

    private string GreenInDev(string app, string message) => _s.GreenInDev(app, message);

    private Run Push(string app, string refspec, IDictionary<string, string?>? env = null) =>
        _s.Exec(app, "git", ["push", "--no-verify", "file://" + Stg, refspec], env: env);

    [Fact]
    public void The_server_refuses_a_commit_revoked_in_dev_and_a_rollback_to_a_commit_revoked_in_stg()
    {
        var app = Server();
        var v1 = GreenInDev(app, "v1");
        Push(app, $"{v1}:refs/heads/main").EnsureOk();
        _s.Exec(app, installed.BinaryPath, ["record", "stg", v1], env: AsPipeline).EnsureOk();
        var v2 = GreenInDev(app, "v2");
        Push(app, $"{v2}:refs/heads/main").EnsureOk();
        var v3 = GreenInDev(app, "v3");
        _s.Promote(app, "revoke", "stg", v1, "--reason", "bad migration").EnsureOk();
        _s.Promote(app, "revoke", "dev", v3, "--reason", "tests were skipped").EnsureOk();

        var rollback = Push(app, $"+{v1}:refs/heads/main");
        var promotion = Push(app, $"{v3}:refs/heads/main");

        Assert.NotEqual(0, rollback.ExitCode);
        Assert.Contains($"remote:     [revocation] {v1[..12]} is revoked in stg by Dana Developer <dana@example.com>", rollback.Stderr);
        Assert.NotEqual(0, promotion.ExitCode);
        Assert.Contains($"remote:     [revocation] {v3[..12]} is revoked in dev", promotion.Stderr);
        Assert.Equal(v2, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Fact]
    public void The_server_counts_approvals_from_others_when_it_knows_the_pusher_by_email()
    {
        var app = Server(TestPolicies.StandardYaml.Replace("    remotes: [stg]\n", "    remotes: [stg]\n    approvals: { required: 1 }\n"));
        var commit = GreenInDev(app, "needs review");
        _s.Exec(app, installed.BinaryPath, ["approve", "stg", commit], env: DanaOnGitea).EnsureOk();

        var anonymous = Push(app, $"{commit}:refs/heads/main");
        var own = Push(app, $"{commit}:refs/heads/main", DanaOnGitea);
        _s.Exec(app, installed.BinaryPath, ["approve", "stg", commit], env: BobOnGitea).EnsureOk();
        var approved = Push(app, $"{commit}:refs/heads/main", DanaOnGitea);

        Assert.Contains("[approvals] could not tell who is pushing", anonymous.Stderr);
        Assert.Contains("your own does not count", own.Stderr);
        approved.EnsureOk();
        Assert.Equal(commit, _s.RemoteRef(Stg, "refs/heads/main"));
    }
}
