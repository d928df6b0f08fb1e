using System.Text;

namespace GitPromote.TestSupport;

/// <summary>
/// A private AWS configuration (config + credentials files in a temp folder) so tests never read or touch the
/// machine's ~/.aws. Profiles are appended atomically (write then rename), so readers never see half a file.
/// </summary>
public sealed class AwsSandbox : IDisposable
{
    public const string TestKeyId = "testing";
    public const string TestSecret = "testing";

    private static readonly Lazy<AwsSandbox> ProcessWide = new(CreateProcessWide);
    private readonly object _gate = new();

    public AwsSandbox()
    {
        Directory = Path.Combine(Path.GetTempPath(), "git-promote-aws-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        ConfigFile = Path.Combine(Directory, "config");
        CredentialsFile = Path.Combine(Directory, "credentials");
        File.WriteAllText(ConfigFile, "");
        File.WriteAllText(CredentialsFile, "");
    }

    public string Directory { get; }
    public string ConfigFile { get; }
    public string CredentialsFile { get; }

    /// <summary>
    /// One sandbox for the whole test process, installed in the process environment (AWS_CONFIG_FILE,
    /// AWS_SHARED_CREDENTIALS_FILE) before the SDK first reads it, with every inherited AWS_* variable removed and
    /// instance metadata disabled. The SDK reads these from the process, so in-process tests must share it.
    /// </summary>
    public static AwsSandbox UseForThisProcess() => ProcessWide.Value;

    private static AwsSandbox CreateProcessWide()
    {
        var sandbox = new AwsSandbox();
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
            Environment.SetEnvironmentVariable(key, null);
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", sandbox.ConfigFile);
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", sandbox.CredentialsFile);
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        return sandbox;
    }

    /// <summary>Variables that point a process (ours or the AWS CLI) at this sandbox, plus <paramref name="extra"/>.</summary>
    public Dictionary<string, string?> EnvironmentFor(params (string Key, string? Value)[] extra)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["AWS_CONFIG_FILE"] = ConfigFile,
            ["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsFile,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        foreach (var (key, value) in extra) env[key] = value;
        return env;
    }

    public void AddStaticProfile(string name, string keyId = TestKeyId, string secret = TestSecret, string? region = null, string? sessionToken = null)
    {
        var credentials = new StringBuilder($"[{name}]\naws_access_key_id = {keyId}\naws_secret_access_key = {secret}\n");
        if (sessionToken is not null) credentials.Append($"aws_session_token = {sessionToken}\n");
        Append(CredentialsFile, credentials.ToString());
        if (region is not null) Append(ConfigFile, $"[profile {name}]\nregion = {region}\n");
    }

    public void AddCredentialProcessProfile(string name, string command, string? region = null) =>
        Append(ConfigFile, $"[profile {name}]\ncredential_process = {command}\n{(region is null ? "" : $"region = {region}\n")}");

    public void AddAssumeRoleProfile(string name, string roleArn, string sourceProfile, string? region = null) =>
        Append(ConfigFile, $"[profile {name}]\nrole_arn = {roleArn}\nsource_profile = {sourceProfile}\n{(region is null ? "" : $"region = {region}\n")}");

    public void AddSsoProfile(string name, string startUrl, string accountId, string roleName, string ssoRegion, string? region = null) =>
        Append(ConfigFile,
            $"[profile {name}]\nsso_start_url = {startUrl}\nsso_region = {ssoRegion}\nsso_account_id = {accountId}\nsso_role_name = " +
                $"{roleName}\n{(region is null ? "" : $"region = {region}\n")}");

    /// <summary>Writes an executable script in the sandbox (for credential_process) and returns its path.</summary>
    public string WriteScript(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private void Append(string file, string section)
    {
        lock (_gate)
        {
            var temp = file + ".tmp";
            File.WriteAllText(temp, File.ReadAllText(file) + "\n" + section);
            File.Move(temp, file, overwrite: true);
        }
    }

    public void Dispose()
    {
        if (ReferenceEquals(this, ProcessWide.IsValueCreated ? ProcessWide.Value : null)) return;
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
