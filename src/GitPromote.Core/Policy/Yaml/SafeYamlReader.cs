using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GitPromote.Core.Policy.Yaml;

/// <summary>
/// Reads untrusted YAML into a <see cref="YamlValue"/> tree with YamlDotNet's event parser, refusing what a
/// policy never needs and an attacker might use: anchors and aliases (billion laughs), tags, more than
/// one document, deep nesting and very many nodes. Parsing stops at the first such problem, so hostile
/// input costs little more than reading it once.
/// </summary>
internal sealed class SafeYamlReader
{
    private readonly IParser _parser;
    private readonly PolicyErrorSink _errors;
    private readonly int _maxDepth;
    private readonly int _maxNodes;
    private int _nodes;
    private ParsingEvent? _lookahead;

    private SafeYamlReader(string text, PolicyErrorSink errors, int maxDepth, int maxNodes)
    {
        _parser = new Parser(new StringReader(text));
        _errors = errors;
        _maxDepth = maxDepth;
        _maxNodes = maxNodes;
    }

    /// <summary>The document's root, or null when the text holds no document or had errors (then in <paramref name="errors"/>).</summary>
    public static YamlValue? Read(string text, PolicyErrorSink errors, int maxDepth, int maxNodes)
    {
        var reader = new SafeYamlReader(text, errors, maxDepth, maxNodes);
        try
        {
            return reader.ReadStream();
        }
        catch (StopReading)
        {
            return null;
        }
    }

    private YamlValue? ReadStream()
    {
        Expect<StreamStart>();
        if (Peek() is StreamEnd) return null;
        Expect<DocumentStart>();
        var root = ReadValue(depth: 0);
        Expect<DocumentEnd>();
        if (Peek() is DocumentStart second)
            Fail(second.Start, "only one YAML document is allowed; remove the '---' that starts a second one");
        Expect<StreamEnd>();
        return root;
    }

    private YamlValue ReadValue(int depth)
    {
        var ev = Next();
        if (++_nodes > _maxNodes)
            Fail(ev.Start, $"the policy has more than {_maxNodes} YAML nodes");
        switch (ev)
        {
            case AnchorAlias alias:
                Fail(alias.Start, "anchors and aliases are not supported");
                break;
            case NodeEvent { Anchor.IsEmpty: false } anchored:
                Fail(anchored.Start, "anchors and aliases are not supported");
                break;
            case NodeEvent { Tag.IsEmpty: false } tagged:
                Fail(tagged.Start, $"YAML tags ('{Quoting.Show(tagged.Tag.ToString())}') are not supported");
                break;
        }
        switch (ev)
        {
            case Scalar scalar:
                return new YamlText(At(scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);
            case SequenceStart seq:
                {
                    CheckDepth(seq, depth);
                    var items = new List<YamlValue>();
                    while (Peek() is not SequenceEnd) items.Add(ReadValue(depth + 1));
                    Next();
                    return new YamlList(At(seq.Start), items);
                }
            case MappingStart map:
                {
                    CheckDepth(map, depth);
                    var entries = new List<YamlEntry>();
                    while (Peek() is not MappingEnd)
                    {
                        var keyAt = At(Peek().Start);
                        var key = ReadValue(depth + 1);
                        var value = ReadValue(depth + 1);
                        entries.Add(new YamlEntry(keyAt, key is YamlText { IsNull: false } text ? text.Value : null, value));
                    }
                    Next();
                    return new YamlMap(At(map.Start), entries);
                }
            default:
                Fail(ev.Start, $"unexpected YAML {ev.GetType().Name}");
                return null!;
        }
    }

    private void CheckDepth(ParsingEvent ev, int depth)
    {
        if (depth >= _maxDepth) Fail(ev.Start, $"the policy is nested deeper than {_maxDepth} levels");
    }

    private T Expect<T>() where T : ParsingEvent
    {
        var ev = Next();
        if (ev is T t) return t;
        Fail(ev.Start, $"unexpected YAML {ev.GetType().Name}");
        return null!;
    }

    private ParsingEvent Peek()
    {
        if (_lookahead is null)
        {
            bool moved;
            try
            {
                moved = _parser.MoveNext();
            }
            catch (YamlException ex)
            {
                Fail(ex.Start, $"invalid YAML: {Quoting.Show(ex.Message, 200)}");
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // YamlDotNet should only throw YamlException; anything else on hostile input is still just bad YAML.
                Fail(Mark.Empty, $"invalid YAML: {Quoting.Show(ex.Message, 200)}");
                throw;
            }
            if (!moved || _parser.Current is null) Fail(Mark.Empty, "unexpected end of the YAML stream");
            _lookahead = _parser.Current;
        }
        return _lookahead!;
    }

    private ParsingEvent Next()
    {
        var ev = Peek();
        _lookahead = null;
        return ev;
    }

    private void Fail(Mark at, string message)
    {
        _errors.Add(At(at), message);
        throw new StopReading();
    }

    private static Position At(Mark mark) => mark.Line > 0 ? new Position((int)mark.Line, (int)mark.Column) : Position.Start;

    private sealed class StopReading : Exception;
}
