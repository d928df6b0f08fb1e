using System.Net;
using Amazon.Runtime;

namespace GitPromote.Aws.Access;

/// <summary>An answer larger than git-promote will hold in memory; stops the read (and, through the SDK, the call).</summary>
public sealed class ResponseTooLargeException(long limit)
    : IOException($"the answer is larger than {limit / (1024 * 1024)} MB, so it was not read")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// HttpClients for the AWS SDK whose answers are bounded, as <see cref="CodePipeline.CodePipelineClient"/>'s are: a
/// response body past <see cref="MaxResponseBytes"/> ends the read with <see cref="ResponseTooLargeException"/> instead of
/// being buffered whole (an endpoint, a proxy or a hostile emulator could send gigabytes).
/// </summary>
public sealed class BoundedHttpClientFactory(long maxResponseBytes = BoundedHttpClientFactory.MaxResponseBytes, HttpMessageHandler? transport = null)
    : HttpClientFactory
{
    /// <summary>SSM answers are a few KB (10 parameters of at most 8 KB a call); CodePipeline's client stops at the same size.</summary>
    public const long MaxResponseBytes = 8 * 1024 * 1024;

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var inner = transport ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        return new HttpClient(new AwsCallTrace(new BoundedResponseHandler(maxResponseBytes, inner)), disposeHandler: transport is null)
        {
            Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100),
            MaxResponseContentBufferSize = maxResponseBytes,
        };
    }

    private sealed class BoundedResponseHandler(long max, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength > max)
            {
                response.Dispose();
                throw new ResponseTooLargeException(max);
            }
            response.Content = new BoundedContent(response.Content, max);
            return response;
        }
    }

    private sealed class BoundedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly long _max;

        public BoundedContent(HttpContent inner, long max)
        {
            _inner = inner;
            _max = max;
            foreach (var header in inner.Headers) Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
            new BoundedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _max);

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await using var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class BoundedStream(Stream inner, long max) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int n)
        {
            _read += n;
            if (_read > max) throw new ResponseTooLargeException(max);
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
