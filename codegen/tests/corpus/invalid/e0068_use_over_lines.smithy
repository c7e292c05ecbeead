// `use` and its shape id must be on one line.
// expect: E0068 6:5
$version: "2.0"
namespace example.invalid

use // no
    smithy.api#String
