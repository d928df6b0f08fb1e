namespace GitPromote.Platform;

/// <summary>The time now, as everything outside <see cref="SystemClock"/> reads it (Core is handed the time, never reads it).</summary>
public interface IClock
{
    DateTimeOffset Now { get; }
}

/// <summary>This machine's clock.</summary>
public sealed class SystemClock : IClock
{
    public DateTimeOffset Now => DateTimeOffset.Now;
}
