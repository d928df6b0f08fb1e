using GitPromote.Core.Server;

namespace GitPromote.Git.Evidence;

/// <summary>The tags of pushed record refs, read from the repository (during pre-receive, the push's objects included).</summary>
public sealed class RepositoryRecordTags(IGitRepository repository) : IRecordTags
{
    public RecordTag? Read(string objectId)
    {
        TagInfo? tag;
        try { tag = repository.ReadTag(objectId); }
        catch (GitCommandException) { return null; }
        return tag is null ? null : new RecordTag(tag.Target, tag.Message);
    }
}
