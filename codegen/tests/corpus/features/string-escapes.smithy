$version: "2.0"

namespace example.escapes

@documentation("quote \" backslash \\ slash \/ tab \t newline \n return \r")
string Simple

@documentation("backspace \b formfeed \f")
string Control

@documentation("unicode \u00e9 \u4e2d and a pair \ud83d\ude00")
string Unicode

@documentation("line \
continuation")
string Continued

@documentation("literal é 中 😀 characters")
string Literal
