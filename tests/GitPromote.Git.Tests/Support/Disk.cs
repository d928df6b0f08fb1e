using GitPromote.Platform;

namespace GitPromote.Git.Tests.Support;

/// <summary>The real disk, as the product's composition root hands it to the git layer.</summary>
internal static class Disk
{
    public static IFileSystem Files { get; } = new SystemFileSystem();
}
