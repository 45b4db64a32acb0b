'use strict';

const Calibration = require('./lib/calibration');

module.exports.Calibration = Calibration;
module.exports.contracts = [Calibration];
