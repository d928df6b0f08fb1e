namespace GitPromote.Platform;

/// <summary>
/// The disk, as everything outside <see cref="SystemFileSystem"/> reaches it: the files a command reads and writes by
/// name, git's own files read without a process (its config, <c>.git</c> files, <c>commondir</c>), the hooks' folders and
/// caches. A test hands in files in memory.
/// </summary>
public interface IFileSystem
{
    bool FileExists(string path);

    bool DirectoryExists(string path);

    /// <summary>True when the folder <paramref name="path"/> exists and holds anything (a file or a folder).</summary>
    bool HasEntries(string path);

    /// <summary>
    /// The text of a regular file of at most <paramref name="maxBytes"/>, or null when there is none; a FIFO, device or
    /// oversized file is refused (<see cref="FileRefusedException"/>, naming it as <paramref name="shown"/>).
    /// </summary>
    string? ReadRegularFile(string path, string shown, long maxBytes);

    /// <summary>The whole text of a file (IOException when it cannot be read).</summary>
    string ReadAllText(string path);

    /// <summary>At most <paramref name="maxChars"/> characters from the start of a file, or null when it cannot be read.</summary>
    string? ReadStart(string path, int maxChars);

    /// <summary>
    /// At most <paramref name="maxBytes"/> bytes from the start of a file, read to its end or the bound (a file of
    /// <c>/proc</c>, which says it is empty, too); IOException when it cannot be read.
    /// </summary>
    byte[] ReadBytes(string path, int maxBytes);

    /// <summary>A text file's lines, read as they are asked for (IOException when it cannot be read).</summary>
    IEnumerable<string> ReadLines(string path);

    long Length(string path);

    /// <summary>True for a file its owner may run (always true where files have no modes).</summary>
    bool IsExecutable(string path);

    void WriteAllText(string path, string text);

    void AppendAllText(string path, string text);

    /// <summary>
    /// Creates <paramref name="path"/> as a new file with <paramref name="text"/>; fails (IOException) when anything is
    /// there, a symbolic link included (O_CREAT|O_EXCL: never followed).
    /// </summary>
    void CreateNewFile(string path, string text)
    {
        if (FileExists(path) || IsLink(path)) throw new IOException($"{path} exists", 17);
        WriteAllText(path, text);
    }

    void SetUnixFileMode(string path, UnixFileMode mode);

    void CreateDirectory(string path);

    void Move(string from, string to, bool overwrite = false);

    void Copy(string from, string to, bool overwrite = false);

    void Delete(string path);

    /// <summary>Deletes the folder <paramref name="path"/> with everything in it.</summary>
    void DeleteDirectory(string path);

    /// <summary>True when <paramref name="path"/> is a symbolic link (whatever it points at, or nothing).</summary>
    bool IsLink(string path) => false;

    /// <summary>The names of the files in a folder (not its subfolders), sorted; empty when there is no such folder.</summary>
    IReadOnlyList<string> FileNames(string dir);
}

public static class FileSystemWrites
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Runnable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// Replaces <paramref name="path"/> by a rename, so a hook running meanwhile sees the old file or the new one, never a
    /// half-written one or none.
    /// </summary>
    public static void WriteAtomically(this IFileSystem files, string path, string text, bool executable)
    {
        var temp = $"{path}.tmp.{Environment.ProcessId}";
        try
        {
            files.WriteAllText(temp, text);
            if (!OperatingSystem.IsWindows()) files.SetUnixFileMode(temp, executable ? Readable | Runnable : Readable);
            files.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (files.FileExists(temp)) files.Delete(temp);
        }
    }
}
