// An operation input that is not defined anywhere.
// expect: E0201 7:12
$version: "2"
namespace example.invalid

operation GetThing {
    input: GetThingRequest
}
