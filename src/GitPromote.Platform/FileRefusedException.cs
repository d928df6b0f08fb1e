namespace GitPromote.Platform;

/// <summary>A file that is refused unread: not a regular file (symlink, FIFO, device, submodule), or too large.</summary>
public sealed class FileRefusedException(string file, string why, bool tooLarge) : Exception($"{file} {why}")
{
    public string File { get; } = file;
    public string Why { get; } = why;
    public bool TooLarge { get; } = tooLarge;
}
