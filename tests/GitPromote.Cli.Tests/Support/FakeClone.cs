using System.Text;
using GitPromote.Git;
using GitPromote.TestSupport;

namespace GitPromote.Cli.Tests.Support;

/// <summary>
/// A clone in memory, as the integration tests' sandbox makes one on disk: its policy in the work tree, remotes dev, stg
/// and prd in its config, git's user Dana, and its evidence in <see cref="Evidence"/>, which commands get from the
/// context (<see cref="FakeEvidenceClients"/>). Pushes run the pre-push hook in process, as git would run it.
/// </summary>
internal sealed class FakeClone
{
    public const string WorkTree = "/home/dana/app";
    public const string GitDir = WorkTree + "/.git";
    public static readonly string Zero = new('0', 40);

    private readonly HookRun _run = new();

    public FakeClone(string policy)
    {
        Policy = policy;
        var remotes = new[] { "dev", "stg", "prd" }.Select(env => new GitRemote(env, RemoteUrl(env), RemoteUrl(env))).ToList();
        _run.Files.WriteAllText(GitDir + "/config",
            string.Concat(remotes.Select(r => $"[remote \"{r.Name}\"]\n\turl = {r.Url}\n\tfetch = +refs/heads/*:refs/remotes/{r.Name}/*\n")));
        _run.Git.Location = new GitLocation(GitDir, GitDir, WorkTree);
        Repository = new FakeRepository(GitDir) { Config = [], Remotes = remotes };
        _run.Git.Repository = Repository;
        var variables = new Dictionary<string, string?>
        {
            ["HOME"] = "/home/dana",
            ["USER"] = "dana",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_CONFIG_GLOBAL"] = "/home/dana/.gitconfig",
        };
        Environment = new FakeEnvironment(variables, WorkTree);
        // git's files are read as git would read them with this environment (no git process starts: FakeGit's does not exist).
        _run.Git.Process = new GitProcess(variables, _run.Git.Process.Executable);
        Clients = new FakeEvidenceClients(Evidence);
        _run.Evidence = Clients;
    }

    /// <summary>The policy in the work tree (.promote.yml); set it to change it, as an edit would.</summary>
    public string Policy
    {
        get => _run.Files.ReadAllText(WorkTree + "/.promote.yml");
        set => _run.Files.WriteAllText(WorkTree + "/.promote.yml", value);
    }

    public FakeRepository Repository { get; }

    public FakeEvidence Evidence { get; } = new();

    public FakeEvidenceClients Clients { get; }

    public FakeEnvironment Environment { get; set; }

    public static string RemoteUrl(string env) => $"/srv/git/{env}.git";

    /// <summary>A commit of this clone (HEAD when it is the last made), with its subject.</summary>
    public string Commit(char id, string subject)
    {
        var commit = Ids.Sha1(id);
        Repository.Commit(commit, subject).Branch("HEAD", commit).Branch("refs/heads/main", commit);
        return commit;
    }

    /// <summary>The commit is green in each environment (its pipeline recorded it) at <paramref name="at"/>, or with no time.</summary>
    public void GreenIn(string commit, DateTimeOffset? at, params string[] envs)
    {
        foreach (var env in envs) Evidence.GreenAt(env, commit, at);
    }

    /// <summary>
    /// <c>git push &lt;env&gt; &lt;refspec&gt;...</c> as git hands it to the pre-push hook: one line per ref, each a commit pushed onto
    /// what the remote holds (<paramref name="refs"/>: local ref, commit or zeros for a deletion, remote ref, its commit there or zeros).
    /// </summary>
    public Task<(int Exit, string Out, string Error)> PushAsync(string env, params (string LocalRef, string Commit, string RemoteRef, string Old)[] refs)
    {
        var stdin = new StringBuilder();
        foreach (var r in refs) stdin.Append($"{r.LocalRef} {r.Commit} {r.RemoteRef} {r.Old}\n");
        _run.Environment = Environment;
        return _run.RunAsync(stdin.ToString(), "hook", "pre-push", env, RemoteUrl(env));
    }

    /// <summary>A <c>git promote</c> command run in the clone.</summary>
    public Task<(int Exit, string Out, string Error)> PromoteAsync(params string[] args)
    {
        _run.Environment = Environment;
        return _run.RunAsync("", args);
    }
}
