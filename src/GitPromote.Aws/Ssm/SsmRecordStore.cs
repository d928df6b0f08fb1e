using System.Security.Cryptography;
using System.Text;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Aws.Ssm;

/// <summary>
/// Writes an environment's records to SSM: green as <c>.../green/&lt;sha&gt;</c> (overwritten, so recording twice is
/// harmless), each bypass as its own parameter under <c>.../bypass/</c> (never overwritten: an audit trail).
/// </summary>
public sealed class SsmRecordStore(AwsEnvironmentAccess access, SsmLayout layout) : IRecordStore
{
    /// <summary>Bypass records read back at most; a bound on time and memory, far above any sane count.</summary>
    public const int MaxBypasses = 1000;
    private const int StandardTierLimit = 4096;

    public string Label => $"ssm {layout.Root}";

    public Task RecordGreenAsync(string commit, Identity by, DateTimeOffset at, CancellationToken cancellationToken)
    {
        layout.Validate();
        var sha = commit.ToLowerInvariant();
        if (!ObjectIds.IsValid(sha))
            throw new EvidenceUnavailableException(new EvidenceFailure($"recording {commit} green", "not a full commit id", "pass a commit (40 or 64 hex digits)"));
        var name = layout.GreenName(sha);
        return PutAsync(name, RecordJson.GreenBody(sha, layout.Environment, by, at), overwrite: true, cancellationToken);
    }

    public Task RecordBypassAsync(BypassRecord record, CancellationToken cancellationToken)
    {
        layout.Validate();
        var name = layout.BypassName(record with { Commit = record.Commit.ToLowerInvariant() }, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        return PutAsync(name, RecordJson.BypassBody(record), overwrite: false, cancellationToken);
    }

    public async Task<IReadOnlyList<BypassRecord>> ListBypassesAsync(CancellationToken cancellationToken)
    {
        layout.Validate();
        var operation = new AwsOperation("ssm:GetParametersByPath", layout.BypassPath);
        return await SsmCall.RunAsync(access, operation, cancellationToken, async (client, token) =>
        {
            var parameters = await SsmPaths.ListAsync(client, layout.BypassPath, MaxBypasses, token).ConfigureAwait(false);
            return (IReadOnlyList<BypassRecord>)parameters
                .Select(p => (p.Name, Record: RecordJson.ReadBypass(p.Value)))
                .Where(p => p.Record is not null)
                .OrderBy(p => p.Record!.At).ThenBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => p.Record!)
                .ToList();
        }).ConfigureAwait(false);
    }

    private async Task PutAsync(string name, string value, bool overwrite, CancellationToken cancellationToken)
    {
        // Named as IAM grants it (the path, not the one parameter), so the advice can be pasted into a policy.
        var operation = new AwsOperation("ssm:PutParameter", name[..(name.LastIndexOf('/') + 1)] + "*");
        await SsmCall.RunAsync(access, operation, cancellationToken, async (client, token) =>
        {
            var request = new PutParameterRequest
            {
                Name = name,
                Value = value,
                Type = ParameterType.String,
                Overwrite = overwrite,
                Description = "written by git-promote",
            };
            // A long justification does not fit the standard tier's 4 KB; only then pay for the advanced tier.
            if (Encoding.UTF8.GetByteCount(value) > StandardTierLimit) request.Tier = ParameterTier.Advanced;
            await client.PutParameterAsync(request, token).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }
}
