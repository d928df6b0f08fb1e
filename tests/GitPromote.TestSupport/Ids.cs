namespace GitPromote.TestSupport;

/// <summary>Object ids for tests: readable, distinct, of either hash length.</summary>
public static class Ids
{
    public static readonly string Zero40 = new('0', 40);
    public static readonly string Zero64 = new('0', 64);

    /// <summary>A SHA-1-length id whose digits spell <paramref name="seed"/>, e.g. <c>Sha1('a')</c> = 40 × 'a'.</summary>
    public static string Sha1(char seed) => new(seed, 40);

    public static string Sha256(char seed) => new(seed, 64);

    /// <summary>A distinct SHA-1-length id for each <paramref name="n"/>.</summary>
    public static string Commit(int n) => n.ToString("x", System.Globalization.CultureInfo.InvariantCulture).PadLeft(40, 'c');
}
