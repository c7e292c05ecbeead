// @required together with a default value.
// expect: W0202 7:5
$version: "2"
namespace example.invalid

structure Settings {
    @required
    retries: Integer = 3
}
