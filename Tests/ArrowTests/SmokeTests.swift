import Testing
@testable import Arrow

@Suite struct SmokeTests {
    @Test func randomArraysDecode() throws {
        var g = ArrayGenerator(seed: 1)
        for t in allTestTypes {
            let a = try g.array(t, length: 17)
            let d = try decode(a)
            #expect(d.count == 17)
        }
    }
}
