namespace GitPromote.Platform;

/// <summary>The local disk: the one <see cref="IFileSystem"/> that touches it.</summary>
public sealed class SystemFileSystem : IFileSystem
{
    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public bool HasEntries(string path) => Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any();

    public string? ReadRegularFile(string path, string shown, long maxBytes) => RegularFiles.ReadText(path, shown, maxBytes);

    public string ReadAllText(string path) => File.ReadAllText(path);

    public string? ReadStart(string path, int maxChars)
    {
        try
        {
            using var reader = new StreamReader(path);
            var head = new char[maxChars];
            return new string(head, 0, reader.Read(head, 0, head.Length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public byte[] ReadBytes(string path, int maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        // A regular file says its size; a file of /proc says 0 and is read to its end, a page at a time.
        var length = stream.Length;
        var buffer = new byte[length > 0 ? Math.Min(length, maxBytes) : Math.Min(4096, maxBytes)];
        var read = 0;
        while (true)
        {
            read += stream.ReadAtLeast(buffer.AsSpan(read), buffer.Length - read, throwOnEndOfStream: false);
            if (read < buffer.Length || buffer.Length == maxBytes || length > 0) break;
            Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, maxBytes));
        }
        return read == buffer.Length ? buffer : buffer[..read];
    }

    public IEnumerable<string> ReadLines(string path) => File.ReadLines(path);

    public long Length(string path) => new FileInfo(path).Length;

    public bool IsExecutable(string path) => OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0;

    public void WriteAllText(string path, string text) => File.WriteAllText(path, text);

    public void AppendAllText(string path, string text) => File.AppendAllText(path, text);

    public void CreateNewFile(string path, string text)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    public void SetUnixFileMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public void Move(string from, string to, bool overwrite = false) => File.Move(from, to, overwrite);

    public void Copy(string from, string to, bool overwrite = false) => File.Copy(from, to, overwrite);

    public void Delete(string path) => File.Delete(path);

    public void DeleteDirectory(string path) => Directory.Delete(path, recursive: true);

    public bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public IReadOnlyList<string> FileNames(string dir) =>
        Directory.Exists(dir) ? [.. Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)] : [];
}
