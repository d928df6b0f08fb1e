using GitPromote.Aws;
using GitPromote.Aws.Access;
using GitPromote.Core;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Git;
using GitPromote.Git.Evidence;
using GitPromote.Platform;

namespace GitPromote.Gate;

/// <summary>What the gate needs of the repository a command runs in (the CLI's workspace).</summary>
public interface ILocalRepository
{
    string GitDir { get; }

    string? WorkTree { get; }

    /// <summary>The repository, opened when first asked.</summary>
    IGitRepository Repository { get; }

    /// <summary>Starts opening the repository on a thread of its own when nothing has opened it yet (the read ahead goes on meanwhile).</summary>
    void OpenInBackground();
}

/// <summary>
/// Where every client that reaches evidence comes from: git's transport to the environments' remotes, the git and AWS
/// stores, the positive cache, the fetches started ahead. The context holds one (<see cref="EvidenceClients"/>, the real
/// ones); a test's context holds fakes, and every command then reads and writes its evidence through them.
/// </summary>
public interface IEvidenceClients
{
    /// <summary>The clients of one repository, for one run (the fetches it starts ahead are this run's).</summary>
    IRepositoryEvidence Open(ILocalRepository repository);

    /// <summary>AWS alone, for a policy (doctor's checks, policy publish): the SDK's runtime registered from this run's environment.</summary>
    AwsEvidenceProvider Aws(PromotionPolicy policy);

    /// <summary>The account this step's own credentials reach (the default chain and region): where a pinned policy in SSM is read.</summary>
    AwsEnvironmentAccess StepAccount(string label, TimeSpan timeout);
}

/// <summary>The evidence clients of one repository in one run.</summary>
public interface IRepositoryEvidence
{
    /// <summary>git's transport from this repository: ls-remote, fetch and push to the environments' remotes.</summary>
    IGitRemoteClient Remote { get; }

    /// <summary>The stores and readers of a policy's environments (git refs, SSM, CodePipeline, CloudWatch); one per policy and repository.</summary>
    IEvidenceStores Stores(PromotionPolicy policy);

    /// <summary>
    /// A server hook's: the target's git evidence, revocations and approvals are this repository's own, its bypass a
    /// pending entry until git updates the ref; other environments are read as <see cref="Stores"/> reads them, without
    /// writing to this repository (its objects are in quarantine).
    /// </summary>
    IEvidenceProvider ServerStores(PromotionPolicy policy, EnvironmentPolicy target, ServerHookStores hook);

    /// <summary>True when records kept in git can be asked for ahead of the gate (<see cref="ReadAhead"/>).</summary>
    bool ReadsAhead { get; }

    /// <summary>Git records only, through clients whose fetches start now and which the gate's identical fetches join.</summary>
    IEvidenceProvider ReadAhead();

    /// <summary>The positive cache of this repository for a policy; null when there is none.</summary>
    PositiveCache? Cache(PromotionPolicy policy, bool readOnly = false);

    /// <summary>Waits for every fetch started ahead (none outlives the decision, however it ended).</summary>
    Task SettleAsync();
}

/// <summary>The stores of a policy's environments, as commands use them: beyond reading and recording, who records and what may be pruned.</summary>
public interface IEvidenceStores : IEvidenceProvider
{
    /// <summary>Who a record in this environment's store is written by: the AWS caller for SSM, else git's user.</summary>
    Task<Identity> RecorderAsync(EnvironmentPolicy environment, Identity gitUser, CancellationToken cancellationToken);

    /// <summary>The environment's record store, for prune: SSM parameters or refs on its git remote.</summary>
    IPrunableStore OpenPrunable(EnvironmentPolicy environment);
}

/// <summary>What a server hook knows that its stores need: the receive-pack this push runs under, and whether git will run the hook that records.</summary>
public sealed record ServerHookStores(Func<PushOwner?> FindOwner, Func<bool> ConfirmHookInstalled);

/// <summary>
/// The composition root of the evidence clients: the only place they are made (CliLayeringTests fails on one made
/// elsewhere). The context of a real run holds one, made from the same files, environment and git it hands commands.
/// </summary>
public sealed class EvidenceClients : IEvidenceClients
{
    private readonly IFileSystem _files;
    private readonly IProcessEnvironment _variables;
    private readonly GitProcess _git;

    public EvidenceClients(IFileSystem files, IProcessEnvironment variables, GitProcess git) => (_files, _variables, _git) = (files, variables, git);

    public IRepositoryEvidence Open(ILocalRepository repository) => new RepositoryEvidence(this, repository);

    public AwsEvidenceProvider Aws(PromotionPolicy policy)
    {
        AwsRuntimeSetup.Register(_variables);
        return new AwsEvidenceProvider(policy, _variables);
    }

    public AwsEnvironmentAccess StepAccount(string label, TimeSpan timeout)
    {
        AwsRuntimeSetup.Register(_variables);
        return new AwsEnvironmentAccess(label, null, _variables, timeout);
    }

    private sealed class RepositoryEvidence(EvidenceClients root, ILocalRepository local) : IRepositoryEvidence
    {
        private readonly object _gate = new();
        private (PromotionPolicy Policy, IGitRepository Repository, CompositeEvidenceProvider Stores)? _stores;
        private GitRemoteClient? _remote;
        private FetchesAhead? _fetches;

        public IGitRemoteClient Remote => Client;

        private GitRemoteClient Client => _remote ??= new GitRemoteClient(local.GitDir, root._git, local.WorkTree);

        private FetchesAhead Fetches
        {
            get
            {
                lock (_gate) return _fetches ??= new FetchesAhead(Client);
            }
        }

        public IEvidenceStores Stores(PromotionPolicy policy)
        {
            var repository = local.Repository;
            lock (_gate)
            {
                // One per policy and repository: every question of a run shares its AWS clients and credentials.
                if (_stores is { } made && ReferenceEquals(made.Policy, policy) && ReferenceEquals(made.Repository, repository)) return made.Stores;
            }
            var stores = Composite(policy, new GitEvidenceProvider(repository, Fetches.Joining));
            lock (_gate) _stores = (policy, repository, stores);
            return stores;
        }

        public IEvidenceProvider ServerStores(PromotionPolicy policy, EnvironmentPolicy target, ServerHookStores hook)
        {
            var repository = local.Repository;
            var gitDir = local.GitDir;
            var others = Composite(policy, new GitEvidenceProvider(repository, Client, listOnly: true));
            var pending = new PendingRecords(root._files, gitDir, Quarantine.From(root._variables).Outside(root._git));
            return new ServerEvidenceProvider(others, target,
                new LocalGreenReader(gitDir, target, root._git),
                new PendingRecordStore(pending, target, hook.FindOwner, hook.ConfirmHookInstalled, root._variables.Get("GIT_NAMESPACE")),
                new LocalReviewStore(repository, target));
        }

        public bool ReadsAhead => true;

        public IEvidenceProvider ReadAhead() => new GitEvidenceProvider(local.Repository, Fetches.Starting);

        public PositiveCache? Cache(PromotionPolicy policy, bool readOnly = false) =>
            new PositiveCache(root._files, Path.Combine(local.GitDir, "promote", "green-cache"), policy.Name) { ReadOnly = readOnly };

        public Task SettleAsync() => Fetches.SettleAsync();

        /// <summary>The AWS side is built only when a policy's source needs it, so git-only pushes never load the SDK.</summary>
        private CompositeEvidenceProvider Composite(PromotionPolicy policy, GitEvidenceProvider gitEvidence)
        {
            var variables = root._variables;
            return new CompositeEvidenceProvider(gitEvidence, new Lazy<AwsEvidenceProvider>(() =>
            {
                AwsRuntimeSetup.Register(variables);
                return new AwsEvidenceProvider(policy, variables);
            }));
        }
    }
}
