using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Git.Evidence;

/// <summary>Evidence kept in git (<c>evidence: - git: {}</c>). Other kinds belong to other providers; the CLI composes them.</summary>
/// <param name="listOnly">Read other environments' records without writing to this repository (a server hook in quarantine).</param>
public sealed class GitEvidenceProvider(IGitRepository repository, IGitRemoteClient client, bool listOnly = false) : IEvidenceProvider
{
    public IEvidenceReader OpenReader(EnvironmentPolicy environment, EvidenceSource source) => source switch
    {
        GitEvidence => new GitEvidenceReader(repository, client, environment, listOnly),
        _ => throw new NotSupportedException($"the git evidence provider does not read '{source.Kind}' evidence"),
    };

    public IRecordStore OpenStore(EnvironmentPolicy environment) => OpenGitStore(environment);

    /// <summary>The store with its git-only extras (<see cref="GitRecordStore.ListGreenWithDetailsAsync"/>).</summary>
    public GitRecordStore OpenGitStore(EnvironmentPolicy environment) => new(repository, client, environment, listOnly);
}
