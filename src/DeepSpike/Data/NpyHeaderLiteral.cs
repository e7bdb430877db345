using System.Globalization;

namespace DeepSpike.Data;

/// <summary>
/// Parses the Python literal that a <c>.npy</c> header holds, e.g.
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 1000), }</c>. Only the literals
/// NumPy writes are understood: strings in single or double quotes, integers (with Python 2's
/// <c>L</c> suffix), <c>True</c>, <c>False</c>, <c>None</c>, tuples, lists and dicts. Nothing is
/// evaluated.
/// </summary>
internal ref struct NpyHeaderLiteral
{
    /// <summary>NumPy writes at most a dict holding a tuple (a record dtype: a list of tuples); deeper nesting is refused
    /// before the recursive descent can overflow the stack, which would end the process instead of throwing.</summary>
    private const int MaxNesting = 32;

    private readonly ReadOnlySpan<char> _text;
    private readonly string _source;
    private int _position;
    private int _nesting;

    private NpyHeaderLiteral(ReadOnlySpan<char> text, string source)
    {
        _text = text;
        _source = source;
    }

    /// <summary>
    /// The dict in <paramref name="text"/>: keys are strings; values are <see cref="string"/>,
    /// <see cref="long"/>, <see cref="bool"/>, null, <see cref="List{T}"/> (tuples and lists) or
    /// nested dicts.
    /// </summary>
    /// <exception cref="DataFormatException">The text is not a dict literal.</exception>
    public static Dictionary<string, object?> ParseDict(string text, string source)
    {
        var parser = new NpyHeaderLiteral(text, source);
        parser.SkipSpace();
        if (parser.Peek() != '{')
            throw parser.Error("expected '{' at the start of the header");
        var dict = (Dictionary<string, object?>)parser.ParseValue()!;
        parser.SkipSpace();
        if (parser._position < parser._text.Length)
            throw parser.Error("unexpected text after the closing '}'");
        return dict;
    }

    private object? ParseValue()
    {
        SkipSpace();
        char c = Peek();
        switch (c)
        {
            case '{' or '(' or '[':
                if (++_nesting > MaxNesting) throw Error($"brackets nested deeper than {MaxNesting} levels");
                object value = c == '{' ? ParseDictBody() : ParseSequence(c == '(' ? ')' : ']');
                _nesting--;
                return value;
            case '\'' or '"': return ParseString();
        }
        if (c == '-' || char.IsAsciiDigit(c)) return ParseInteger();
        if (TryKeyword("True")) return true;
        if (TryKeyword("False")) return false;
        if (TryKeyword("None")) return null;
        throw Error($"unexpected character '{Printable(c)}'");
    }

    private Dictionary<string, object?> ParseDictBody()
    {
        _position++; // '{'
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (Peek() == '}') { _position++; return dict; }
            if (Peek() is not ('\'' or '"')) throw Error("expected a quoted key");
            string key = ParseString();
            SkipSpace();
            if (Peek() != ':') throw Error($"expected ':' after key '{key}'");
            _position++;
            if (!dict.TryAdd(key, ParseValue())) throw Error($"key '{key}' appears twice");
            SkipSpace();
            if (Peek() == ',') _position++;
            else if (Peek() != '}') throw Error("expected ',' or '}'");
        }
    }

    private List<object?> ParseSequence(char close)
    {
        _position++; // '(' or '['
        var items = new List<object?>();
        while (true)
        {
            SkipSpace();
            if (Peek() == close) { _position++; return items; }
            items.Add(ParseValue());
            SkipSpace();
            if (Peek() == ',') _position++;
            else if (Peek() != close) throw Error($"expected ',' or '{close}'");
        }
    }

    private string ParseString()
    {
        char quote = _text[_position++];
        int start = _position;
        // NumPy's type strings and keys never contain escapes; a backslash means a header this reader does not know.
        int end = _text[start..].IndexOfAny(quote, '\\');
        if (end < 0) throw Error("unterminated string");
        if (_text[start + end] == '\\') throw Error("escape sequences in header strings are not supported");
        _position = start + end + 1;
        return _text.Slice(start, end).ToString();
    }

    private long ParseInteger()
    {
        int start = _position;
        if (Peek() == '-') _position++;
        while (_position < _text.Length && char.IsAsciiDigit(_text[_position])) _position++;
        if (!long.TryParse(_text[start.._position], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw Error($"'{_text[start.._position]}' is not an integer that fits 64 bits");
        if (_position < _text.Length && _text[_position] == 'L') _position++; // Python 2 long
        return value;
    }

    private bool TryKeyword(string keyword)
    {
        if (!_text[_position..].StartsWith(keyword, StringComparison.Ordinal)) return false;
        _position += keyword.Length;
        return true;
    }

    private void SkipSpace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position])) _position++;
    }

    private readonly char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private static string Printable(char c) => c == '\0' ? "end of header" : char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString();

    private readonly DataFormatException Error(string problem) =>
        new(_source, $"the .npy header is not a Python dict literal NumPy writes: {problem} (character {_position + 1} of '{Shown()}')");

    private readonly string Shown()
    {
        const int MaxShown = 120;
        var shown = _text.Length <= MaxShown ? _text.ToString() : string.Concat(_text[..MaxShown], "…");
        return string.Create(shown.Length, shown, static (span, s) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = char.IsControl(s[i]) ? '?' : s[i];
        });
    }
}
