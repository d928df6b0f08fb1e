using System.Collections.Concurrent;

namespace GitPromote.TestSupport;

/// <summary>Counts requests by AWS operation (X-Amz-Target's action, or a query protocol's Action=).</summary>
public sealed class RequestCounter
{
    private readonly ConcurrentDictionary<string, int> _byOperation = new(StringComparer.Ordinal);
    private int _total;

    public int Total => Volatile.Read(ref _total);

    public int this[string operation] => _byOperation.TryGetValue(operation, out var n) ? n : 0;

    public IReadOnlyDictionary<string, int> ByOperation => new Dictionary<string, int>(_byOperation);

    public void Add(string operation)
    {
        Interlocked.Increment(ref _total);
        _byOperation.AddOrUpdate(operation, 1, (_, n) => n + 1);
    }

    public void Reset()
    {
        _byOperation.Clear();
        Interlocked.Exchange(ref _total, 0);
    }

    /// <summary><c>AmazonSSM.GetParameters</c> → <c>GetParameters</c>; a form body's <c>Action=AssumeRole</c> → <c>AssumeRole</c>.</summary>
    public static string OperationOf(string? target, string? contentType, byte[] body, string method, string path)
    {
        if (!string.IsNullOrEmpty(target))
        {
            var dot = target.LastIndexOf('.');
            return dot >= 0 ? target[(dot + 1)..] : target;
        }
        if (contentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            foreach (var pair in System.Text.Encoding.UTF8.GetString(body).Split('&'))
                if (pair.StartsWith("Action=", StringComparison.Ordinal))
                    return Uri.UnescapeDataString(pair["Action=".Length..]);
        }
        return $"{method} {path}";
    }
}
