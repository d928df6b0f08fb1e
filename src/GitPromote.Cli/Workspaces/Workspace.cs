using GitPromote.Cli.Infrastructure;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Gate;
using GitPromote.Git;
using GitPromote.Git.Evidence;
using GitPromote.Platform;

namespace GitPromote.Cli.Workspaces;

/// <summary>
/// The repository a command runs in, its policy, and the evidence providers built for it. Opening libgit2 is
/// deferred until something needs the repository: the hook's fast path (an unguarded push) never does.
/// </summary>
public sealed class Workspace : ILocalRepository, IDisposable
{
    private readonly CommandContext _context;
    private IGitRepository? _repository;

    private readonly GitLocation _location;

    private Workspace(CommandContext context, GitLocation location)
    {
        _context = context;
        _location = location;
    }

    public string GitDir => _location.GitDir;
    public string? WorkTree => _location.WorkTree;
    public GitLocation Location => _location;

    /// <summary>
    /// The repository, with the environments' repositories this run was given (<see cref="EnvironmentRemotes"/>) applied
    /// whenever they were set: a step that resolved its commit before its flags were read still reads and writes every
    /// record (green, revocations, events) where the flags say.
    /// </summary>
    public IGitRepository Repository => _withGiven ??= EnvironmentRemotes.Count == 0 ? Opened : new EnvironmentRemoteOverrides(Opened, EnvironmentRemotes);

    private IGitRepository Opened => _repository ??= _context.Git.Open(_location, _config);

    private IGitRepository? _withGiven;

    /// <summary>True for the empty repository a pipeline step without a clone works in (<see cref="Scratch"/>).</summary>
    public bool IsScratch => _scratchRoot is not null;

    /// <summary>Environments whose git evidence is read from a given URL (the gate's <c>--remote env=url</c>).</summary>
    public IReadOnlyDictionary<string, GivenRemote> EnvironmentRemotes
    {
        get => _given;
        set
        {
            _given = value;
            _withGiven = null;
        }
    }

    private IReadOnlyDictionary<string, GivenRemote> _given = new Dictionary<string, GivenRemote>();

    private string? _scratchRoot;

    private GitConfig? _config;

    /// <summary>The repository's configuration, read once per run.</summary>
    private GitConfig Config => _config ??= GitConfig.Read(_context.FileSystem, GitDir, _context.Git.Process, GitBudgets.ConfigRead);

    /// <summary>
    /// The repository's remotes, from its configuration read once per run: before the repository is opened (the hook's
    /// route check needs no libgit2), and by the repository itself after, without a second read.
    /// </summary>
    public IReadOnlyList<GitRemote> Remotes =>
        _repository?.Remotes ?? Config.Remotes();

    /// <summary>Finds the repository around the current directory without loading libgit2.</summary>
    public static Workspace Find(CommandContext context) => TryFind(context)
        ?? throw new CommandFailedException(ExitCodes.UsageOrPolicy, "not inside a git repository", "run this in a clone");

    /// <summary>The repository around the current directory, or null outside one (a pipeline's unpacked source).</summary>
    public static Workspace? TryFind(CommandContext context) =>
        context.Git.Locate(context.Environment.CurrentDirectory) is { } location
            ? new Workspace(context, location)
            : null;

    /// <summary>
    /// An empty bare repository in a temporary folder, deleted on dispose: where a pipeline step with no clone fetches
    /// git records (<c>refs/promote/*</c>) from the remotes it is given.
    /// </summary>
    public static Workspace Scratch(CommandContext context)
    {
        var root = Path.Combine(Path.GetTempPath(), "git-promote-" + Guid.NewGuid().ToString("N")[..12]);
        var gitDir = Path.Combine(root, "scratch.git");
        context.FileSystem.CreateDirectory(root);
        try
        {
            using var deadline = new CancellationTokenSource(GitBudgets.Setup);
            context.Git.Process.Run(root, ["init", "--quiet", "--bare", gitDir], null, deadline.Token).EnsureSuccess();
        }
        catch
        {
            TryDelete(context.FileSystem, root);
            throw;
        }
        return new Workspace(context, new GitLocation(gitDir, gitDir, null)) { _scratchRoot = root };
    }

    private static void TryDelete(IFileSystem files, string path)
    {
        try { files.DeleteDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The policy of this repository: the work tree's file, or the one committed at HEAD in a bare repository.</summary>
    public LoadedPolicy? LoadPolicy()
    {
        if (WorkTree is not null) return PolicySource.FromWorkTree(_context.FileSystem, WorkTree);
        var text = Repository.ReadFileAt("HEAD", PromotionPolicy.FileName);
        return text is null ? null : PolicySource.FromText(text, $"HEAD:{PromotionPolicy.FileName}", PolicySource.DefaultName(GitDir));
    }

    public LoadedPolicy RequirePolicy() => LoadPolicy() ?? throw new CommandFailedException(ExitCodes.UsageOrPolicy,
        $"no {PromotionPolicy.FileName} in this repository", "create one with: git promote init");

    /// <summary>The evidence clients of this repository, from the context's composition root (<see cref="IEvidenceClients"/>).</summary>
    public IRepositoryEvidence Evidence => _evidence ??= _context.Evidence.Open(this);

    private IRepositoryEvidence? _evidence;

    /// <summary>The gate, for a push (or a commit) judged in this repository.</summary>
    public GateService Gate => _gate ??= new GateService(this, Evidence, _context.Clock);

    private GateService? _gate;

    /// <summary>The stores and readers of the policy's environments (one per policy and repository in a run).</summary>
    public IEvidenceStores EvidenceProvider(PromotionPolicy policy) => Evidence.Stores(policy);

    /// <summary>The commit an environment's deploy branch points at on its remote, or why that is unknown.</summary>
    public async Task<(string? Commit, string? Problem)> DeployedCommitAsync(EnvironmentPolicy environment, string branch, CancellationToken cancellationToken)
    {
        var refName = "refs/heads/" + branch;
        try
        {
            var remote = EnvironmentRemote.Resolve(Repository, environment);
            var refs = await Evidence.Remote.ListRefsAsync(remote.Remote, [refName], cancellationToken);
            var deployed = refs.FirstOrDefault(r => r.Name == refName);
            return deployed is null ? (null, "nothing deployed yet") : (deployed.Id, null);
        }
        catch (EvidenceUnavailableException e)
        {
            return (null, e.Failure.What);
        }
        catch (GitCommandException e)
        {
            return (null, e.Message);
        }
        catch (Exception e) when (Deadline.Passed(e, cancellationToken))
        {
            return (null, $"its remote: {EvidenceFailure.NoAnswerInTime()}");
        }
    }

    /// <summary>
    /// Starts opening the repository on a thread of its own, when nothing has opened it yet: what needs only its
    /// configuration (the remotes) goes on meanwhile, and the first question about objects or refs waits for it.
    /// </summary>
    public void OpenInBackground()
    {
        if (_repository is not null) return;
        var config = Config;
        _repository = new OpeningRepository(_location, config, () => _context.Git.Open(_location, config));
    }

    /// <summary>
    /// Who is acting, as git itself would sign a commit: <c>git var GIT_COMMITTER_IDENT</c> honours every config level,
    /// includes and GIT_COMMITTER_* (libgit2 misses some of them, e.g. GIT_CONFIG_GLOBAL).
    /// </summary>
    public Identity CurrentIdentity()
    {
        using var deadline = new CancellationTokenSource(GitBudgets.Quick);
        try
        {
            var result = _context.Git.Process.Run(WorkTree ?? GitDir, ["var", "GIT_COMMITTER_IDENT"], null, deadline.Token);
            if (result.Succeeded && ParseIdent(result.StdoutText) is { } who) return who;
        }
        catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, deadline.Token)) { }
        return _context.Environment.Get("USER") is { Length: > 0 } user ? new Identity(user, "") : Identity.Unknown;
    }

    /// <summary>Parses <c>Name &lt;email&gt; 1700000000 +0000</c>.</summary>
    internal static Identity? ParseIdent(string ident)
    {
        var open = ident.IndexOf('<');
        var close = ident.IndexOf('>', open + 1);
        if (open < 0 || close < 0) return null;
        return new Identity(ident[..open].Trim(), ident[(open + 1)..close].Trim());
    }

    public void Dispose()
    {
        _repository?.Dispose();
        if (_scratchRoot is not null) TryDelete(_context.FileSystem, _scratchRoot);
    }
}
