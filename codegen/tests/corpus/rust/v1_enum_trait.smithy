// IDL 1.0 @enum strings, with and without names.
metadata package = [{ namespace: "weld.test.enumtrait", crate: "snap-enum-trait" }]

namespace weld.test.enumtrait

/// Log levels.
@enum([
    { value: "trace", name: "TRACE", documentation: "Everything." },
    { value: "info", name: "INFO" },
    { value: "warn-only", name: "WARN_ONLY", deprecated: true },
])
string Level

/// Values without names get names from the value.
@enum([{ value: "red" }, { value: "dark-green" }, { value: "Unknown" }])
string Colour

/// Uses both.
structure Settings {
    @required level: Level,
    colour: Colour,
}
