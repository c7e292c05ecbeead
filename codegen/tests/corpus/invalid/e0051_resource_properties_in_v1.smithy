// Resource `properties` are IDL 2.0.
// expect: E0051 6:5
$version: "1.0"
namespace example.invalid
resource Forecast {
    properties: { days: Integer }
}
