using System.Runtime.InteropServices;
using System.Text;

namespace GitPromote.Platform;

/// <summary>
/// Reads a file from disk only when it is a regular file, and never more than the limit plus one byte: a symlink to
/// /dev/zero would otherwise be read forever, and opening a FIFO waits for a writer that never comes.
/// </summary>
public static partial class RegularFiles
{
    /// <summary>The file's text; null when it does not exist. Throws <see cref="FileRefusedException"/> for anything else.</summary>
    public static string? ReadText(string path, string shown, long maxBytes)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
            throw new FileRefusedException(shown, "is a symbolic link, not a regular file", tooLarge: false);
        if (!info.Exists) return null;
        if (FileType(path) is { } type && type != RegularType)
            throw new FileRefusedException(shown, $"is {TypeName(type)}, not a regular file", tooLarge: false);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        var buffer = new byte[Math.Min(maxBytes + 1, Math.Max(info.Length + 1, 4096))];
        using var content = new MemoryStream();
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            content.Write(buffer, 0, read);
            if (content.Length > maxBytes)
                throw new FileRefusedException(shown, $"is larger than {Size(maxBytes)}", tooLarge: true);
        }
        return DecodeText(content.GetBuffer().AsSpan(0, (int)content.Length));
    }

    /// <summary>Decodes file content as UTF-8, dropping a byte order mark.</summary>
    public static string DecodeText(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) bytes = bytes[3..];
        return Encoding.UTF8.GetString(bytes);
    }

    public static string Size(long bytes) => bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes} bytes";

    private const int TypeMask = 0xF000;
    private const int RegularType = 0x8000;

    private static string TypeName(int type) => type switch
    {
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0x4000 => "a directory",
        0xC000 => "a socket",
        _ => "not a regular file",
    };

    /// <summary>The S_IFMT bits of the file itself (not following a link); null where the system cannot say.</summary>
    private static int? FileType(string path)
    {
        var name = Encoding.UTF8.GetBytes(path + "\0");
        try
        {
            if (OperatingSystem.IsLinux())
            {
                // statx's layout is the same on every architecture: stx_mode is a u16 at offset 28.
                var buffer = new byte[256];
                const int atFdCwd = -100, atSymlinkNoFollow = 0x100;
                const uint statxType = 0x1;
                return StatX(atFdCwd, name, atSymlinkNoFollow, statxType, buffer) == 0 ? BitConverter.ToUInt16(buffer, 28) & TypeMask : null;
            }
            if (OperatingSystem.IsMacOS())
            {
                // The 64-bit-inode struct stat: st_dev (4 bytes), then st_mode (u16).
                var buffer = new byte[256];
                var rc = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? LStatInode64(name, buffer) : LStat(name, buffer);
                return rc == 0 ? BitConverter.ToUInt16(buffer, 4) & TypeMask : null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return null;
    }

    [DllImport("libc", EntryPoint = "statx")]
    private static extern int StatX(int dirFd, byte[] path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", EntryPoint = "lstat")]
    private static extern int LStat(byte[] path, byte[] buffer);

    [DllImport("libc", EntryPoint = "lstat$INODE64")]
    private static extern int LStatInode64(byte[] path, byte[] buffer);
}
