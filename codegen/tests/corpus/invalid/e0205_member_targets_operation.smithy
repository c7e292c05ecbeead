// Members cannot target operations, services or resources.
// expect: E0205 7:11
$version: "2"
namespace example.invalid

structure Holder {
    call: Ping
}

operation Ping {}
