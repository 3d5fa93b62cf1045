import Foundation
import Observatory
import StarlingCore
import Testing

@Suite struct StarFieldTests {
    @Test func countsAtTheGalacticPoleMatchBahcallSoneira() {
        let toTwenty = StarCounts.cumulativeDensity(brighterThanV: 20, galacticLongitudeDegrees: 0, galacticLatitudeDegrees: 90)
        #expect(toTwenty > 1300 && toTwenty < 1550, "\(toTwenty) stars/deg² to V = 20")
        // Counts rise 0.2–0.4 dex per magnitude over 14…20 and more stars lie towards the plane.
        let slope = log10(StarCounts.cumulativeDensity(brighterThanV: 17, galacticLongitudeDegrees: 0, galacticLatitudeDegrees: 90))
            - log10(StarCounts.cumulativeDensity(brighterThanV: 16, galacticLongitudeDegrees: 0, galacticLatitudeDegrees: 90))
        #expect(slope > 0.2 && slope < 0.4)
        #expect(StarCounts.cumulativeDensity(brighterThanV: 20, galacticLongitudeDegrees: 90, galacticLatitudeDegrees: 25) > 2 * toTwenty)
    }

    @Test func overlappingRegionsSeeTheSameStars() throws {
        let field = StarField()
        let a = try EquatorialCoordinates(rightAscensionDegrees: 150, declinationDegrees: 2)
        let b = try EquatorialCoordinates(rightAscensionDegrees: 150.3, declinationDegrees: 2.2)
        let first = field.stars(around: a, radius: .degrees(0.5), faintestMagnitudeV: 20)
        let second = field.stars(around: b, radius: .degrees(0.5), faintestMagnitudeV: 21)
        let shared = Set(first.filter { star in
            let p = try? EquatorialCoordinates(rightAscensionDegrees: star.rightAscensionDegrees, declinationDegrees: star.declinationDegrees)
            return p.map { $0.separation(from: b).degrees < 0.45 } ?? false
        })
        #expect(shared.count > 50)
        #expect(shared.isSubset(of: Set(second)))
        #expect(field.stars(around: a, radius: .degrees(0.5), faintestMagnitudeV: 20) == first)
    }

    @Test func drawnCountsFollowTheDensityLaw() throws {
        let field = StarField()
        let centre = try EquatorialCoordinates(rightAscensionDegrees: 200, declinationDegrees: -30)
        let stars = field.stars(around: centre, radius: .degrees(1), faintestMagnitudeV: 19)
        let area = 2 * Double.pi * (1 - cos(Double.pi / 180)) * pow(180 / Double.pi, 2)
        let expected = (field.density(brighterThanV: 19, at: centre) - field.density(brighterThanV: 5, at: centre)) * area
        #expect(abs(Double(stars.count) / expected - 1) < 0.1, "\(stars.count) drawn vs \(expected) expected")
    }
}
