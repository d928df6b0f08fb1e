namespace GitPromote.Cli.Infrastructure;

/// <summary>The exit codes of every command: 0 allowed, 1 blocked, 2 bad usage or an invalid policy, 3 an internal error.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Blocked = 1;
    public const int UsageOrPolicy = 2;
    public const int Internal = 3;
}
