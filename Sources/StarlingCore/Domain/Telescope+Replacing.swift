extension Telescope {
    /// The same telescope with some parts replaced: a subframe camera, the filters a real
    /// wheel reports, other drivers.
    public func replacing(camera: Camera? = nil, filters: [Filter]? = nil, driver: DriverConfiguration? = nil) -> Telescope {
        Telescope(
            id: id, name: name, apertureMeters: apertureMeters, focalLengthMillimeters: focalLengthMillimeters, camera: camera ?? self.camera,
            filters: filters ?? self.filters, mount: mount, enclosure: enclosure, filterChangeSeconds: filterChangeSeconds, throughput: throughput,
            safety: safety, driver: driver ?? self.driver)
    }

    /// The same telescope reading only the central `size`² pixels of its detector.
    public func withCameraWindow(_ size: Int) -> Telescope {
        let camera = self.camera
        return replacing(camera: Camera(
            name: camera.name, widthPixels: size, heightPixels: size, pixelSizeMicrons: camera.pixelSizeMicrons, gain: camera.gain,
            readNoise: camera.readNoise, fullWell: camera.fullWell, readoutSeconds: camera.readoutSeconds, darkCurrent: camera.darkCurrent,
            temperatureCelsius: camera.temperatureCelsius))
    }
}
