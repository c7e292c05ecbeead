// A use statement must end its line.
// expect: E0067 6:23
$version: "2.0"
namespace example.invalid

use smithy.api#String use smithy.api#Integer
