using System.Text;
using GitPromote.Platform;

namespace GitPromote.Cli.Tests.Support;

/// <summary>Files in memory: what a command read and wrote, with no disk touched. Folders exist once created or holding a file.</summary>
internal sealed class FakeFileSystem : IFileSystem
{
    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Files someone may run (a hook is a hook only when executable).</summary>
    public HashSet<string> Executable { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Directories { get; } = new(StringComparer.Ordinal);

    public bool FileExists(string path) => Files.ContainsKey(path);

    public bool DirectoryExists(string path) =>
        Directories.Contains(path.TrimEnd('/')) || Files.Keys.Any(f => f.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal));

    public bool HasEntries(string path) =>
        Directories.Any(d => d.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal))
        || Files.Keys.Any(f => f.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal));

    public string? ReadRegularFile(string path, string shown, long maxBytes) => Files.GetValueOrDefault(path);

    public string ReadAllText(string path) => Files.TryGetValue(path, out var text) ? text : throw new FileNotFoundException("no such file", path);

    public string? ReadStart(string path, int maxChars) => Files.TryGetValue(path, out var text) ? text[..Math.Min(maxChars, text.Length)] : null;

    public byte[] ReadBytes(string path, int maxBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(ReadAllText(path));
        return bytes.Length <= maxBytes ? bytes : bytes[..maxBytes];
    }

    public IEnumerable<string> ReadLines(string path) => ReadAllText(path).Split('\n') is var lines && lines[^1].Length == 0 ? lines[..^1] : lines;

    public long Length(string path) => ReadAllText(path).Length;

    public bool IsExecutable(string path) => Executable.Contains(path);

    public void WriteAllText(string path, string text)
    {
        Files[path] = text;
        Executable.Remove(path);
    }

    public void AppendAllText(string path, string text) => Files[path] = Files.GetValueOrDefault(path, "") + text;

    public void SetUnixFileMode(string path, UnixFileMode mode)
    {
        if (!Files.ContainsKey(path)) throw new FileNotFoundException("no such file", path);
        if ((mode & UnixFileMode.UserExecute) != 0) Executable.Add(path);
        else Executable.Remove(path);
    }

    public void CreateDirectory(string path) => Directories.Add(path.TrimEnd('/'));

    public void Move(string from, string to, bool overwrite = false)
    {
        Copy(from, to, overwrite);
        Delete(from);
    }

    public void Copy(string from, string to, bool overwrite = false)
    {
        if (!overwrite && Files.ContainsKey(to)) throw new IOException($"{to} exists");
        Files[to] = ReadAllText(from);
        if (Executable.Contains(from)) Executable.Add(to);
        else Executable.Remove(to);
    }

    public void Delete(string path)
    {
        Files.Remove(path);
        Executable.Remove(path);
    }

    public void DeleteDirectory(string path)
    {
        var prefix = path.TrimEnd('/') + "/";
        foreach (var file in Files.Keys.Where(f => f.StartsWith(prefix, StringComparison.Ordinal)).ToList()) Delete(file);
        Directories.RemoveWhere(d => d == path.TrimEnd('/') || d.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>A runnable file, as a hook on disk would be.</summary>
    public void AddExecutable(string path, string text)
    {
        Files[path] = text;
        Executable.Add(path);
    }

    public IReadOnlyList<string> FileNames(string dir)
    {
        var prefix = dir.TrimEnd('/') + "/";
        return [.. Files.Keys.Where(f => f.StartsWith(prefix, StringComparison.Ordinal) && !f[prefix.Length..].Contains('/'))
            .Select(f => f[prefix.Length..]).Order(StringComparer.Ordinal)];
    }
}
