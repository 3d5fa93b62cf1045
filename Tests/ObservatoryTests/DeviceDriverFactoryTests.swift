import Foundation
import Testing

@testable import Observatory
@testable import StarlingCore

struct DeviceDriverFactoryTests {
    static func telescope(_ driver: DriverConfiguration) -> Telescope {
        Telescope(
            id: TelescopeID("t1"), name: "test", apertureMeters: 1, focalLengthMillimeters: 3000,
            camera: Camera(name: "cam", widthPixels: 1024, heightPixels: 1024, pixelSizeMicrons: 13.5, gain: 1.5, readNoise: 5, fullWell: 100_000, readoutSeconds: 5),
            filters: [Filter("g")], driver: driver)
    }

    @Test func indiConfigurationBuildsINDIDriversWithItsDeviceNames() throws {
        let configuration = INDIConfiguration(host: "observatory.local", port: 7625, mountDevice: "EQMod Mount", cameraDevice: "ZWO CCD", weatherDevice: nil)
        let devices = try DeviceDriverFactory.makeDevices(for: Self.telescope(.indi(configuration)))
        let mount = try #require(devices.mount as? INDIMount)
        #expect(mount.device == "EQMod Mount")
        #expect(mount.client.host == "observatory.local" && mount.client.port == 7625)
        #expect((devices.camera as? INDICamera)?.device == "ZWO CCD")
        #expect((devices.enclosure as? INDIDome)?.device == "Dome Simulator")
        #expect((devices.filterWheel as? INDIFilterWheel)?.device == "Filter Simulator")
        #expect(devices.weather == nil)
        // One client (one TCP connection) for all the devices.
        #expect((devices.camera as? INDICamera)?.client === mount.client)
    }

    @Test func indiConfigurationWithoutADomeIsRefused() {
        var configuration = INDIConfiguration()
        configuration.domeDevice = nil
        #expect {
            _ = try DeviceDriverFactory.makeDevices(for: Self.telescope(.indi(configuration)))
        } throws: { error in
            (error as? DriverError)?.code == .refused && (error as? DriverError)?.message.contains("dome_device") == true
        }
    }

    @Test func alpacaConfigurationBuildsAlpacaDrivers() throws {
        let configuration = AlpacaConfiguration(port: 11112, telescopeNumber: 1, focuserNumber: nil, observingConditionsNumber: nil, safetyMonitorNumber: 2)
        let devices = try DeviceDriverFactory.makeDevices(for: Self.telescope(.alpaca(configuration)))
        #expect(devices.mount is AlpacaTelescope)
        #expect(devices.camera is AlpacaCamera)
        #expect(devices.enclosure is AlpacaDome)
        #expect(devices.focuser == nil)
        #expect(devices.filterWheel is AlpacaFilterWheel)
        let weather = try #require(devices.weather as? AlpacaWeather)
        #expect(weather.conditions == nil && weather.safety?.number == 2)
    }

    @Test func simulatorNeedsTheSimulatorsBuilder() throws {
        #expect(throws: DriverError.self) { _ = try DeviceDriverFactory.makeDevices(for: Self.telescope(.simulator)) }
        let indi = try DeviceDriverFactory.makeDevices(indi: INDIConfiguration())
        let devices = try DeviceDriverFactory.makeDevices(for: Self.telescope(.simulator)) { _ in indi }
        #expect(devices.mount is INDIMount)
    }
}

struct ApparentPlaceTests {
    @Test func jnowAgreesWithAstropyAndRoundTripsToICRS() throws {
        let conversion = ApparentPlace(site: try GeodeticLocation(latitude: .degrees(28.76), longitude: .degrees(-17.88), elevationMeters: 2327))
        let date = ISO8601DateFormatter().date(from: "2024-03-15T22:00:00Z")!
        // M13, ICRS.
        let m13 = try EquatorialCoordinates(rightAscensionDegrees: 250.4234750, declinationDegrees: 36.4613194)
        let jnow = conversion.jnow(of: m13, at: date)
        let back = try conversion.icrs(rightAscensionHours: jnow.rightAscensionHours, declinationDegrees: jnow.declinationDegrees, at: date)
        #expect(back.separation(from: m13).arcseconds < 0.001)
        // astropy 6: SkyCoord(icrs).transform_to(TETE(obstime=2024-03-15T22:00 UTC, location=La Palma)).
        let astropy = try EquatorialCoordinates(rightAscensionDegrees: 16.709407317841237 * 15, declinationDegrees: 36.40927841751406)
        let ours = try EquatorialCoordinates(rightAscensionDegrees: jnow.rightAscensionHours * 15, declinationDegrees: jnow.declinationDegrees)
        #expect(ours.separation(from: astropy).arcseconds < 0.05)
        // The recorded INDI session sent M13's J2000 place as if it were JNow: 0.18° off.
        #expect(abs(ours.separation(from: m13).degrees - 0.1827) < 0.001)
    }
}
