// Operation input must be a structure.
// expect: E0221 7:12
$version: "2"
namespace example.invalid

operation Put {
    input: String
}
