using GitPromote.Cli.Infrastructure;

namespace GitPromote.Cli.Tests.Support;

/// <summary>Files in memory: what a command read and wrote, with no disk touched.</summary>
internal sealed class FakeFileSystem : IFileSystem
{
    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    public bool FileExists(string path) => Files.ContainsKey(path);

    public bool DirectoryExists(string path) => Files.Keys.Any(f => f.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal));

    public string? ReadRegularFile(string path, string shown, long maxBytes) => Files.GetValueOrDefault(path);

    public void WriteAllText(string path, string text) => Files[path] = text;
}
