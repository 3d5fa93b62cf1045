#!/usr/bin/env python3
"""Drives an OCS observation portal (Starling's `starling serve`) through TOM Toolkit, unmodified.

Run with the Python of the virtual environment `scripts/install-deps --test` makes:

    ~/.cache/starling/tomtoolkit/bin/python tom_ocs_client.py \\
        --portal http://127.0.0.1:PORT --token SECRET --workdir DIR --deadline-seconds 600

It is a TOM as `tom_setup` makes one (Django with SQLite in DIR) whose only facility is TOM
Toolkit's generic OCS facility, configured as a TOM's settings.py would:
`FACILITIES['OCS'] = {portal_url, archive_url, api_key}`. Every call to the portal and the
archive is made by TOM Toolkit's own code (`tom_observations/facilities/ocs.py`):

1. The observation form TOM's web page posts (`OCSFullObservationForm`, composed with the
   cadence form as `ObservationCreateView` does), filled with a proposal, instrument and filter
   chosen from what the form itself fetched (`/api/profile/`, `/api/instruments/`), validated
   at the portal by `form.is_valid()` (`/api/requestgroups/validate/`), then submitted with
   `OCSFacility.submit_observation(form.observation_payload())`, and an `ObservationRecord`
   made as the view makes it.
2. A second observation, in a window days later, submitted and cancelled
   (`cancel_observation`), its status read back as CANCELED.
3. Two bad requests: a window in the past through the form (what a TOM user is shown), and an
   unknown filter straight to `validate_observation` and `submit_observation`.
4. `get_facility_status()` (`/api/telescope_states/`).
5. The first observation's status polled with `update_observation_status` until it ends, then
   `save_data_products` (the archive's `/frames/?REQNUM=`), each file opened as FITS; the
   observation page's listing (`all_data_products`) and its "save selected" of one product
   (`save_data_products(record, product_id)`, the archive's `/frames/{id}/`).

The one call that is not TOM Toolkit's is `GET /api/network`, Starling's own, to read the
observatory's clock: on a simulated clock at 600x real time the windows must be in the
observatory's time, not the machine's.

Progress lines go to standard output, TOM's and Django's logs to standard error, and the last
line of standard output is one JSON object with everything found (`"ok": false` with the step
that failed, the error, and the HTTP exchanges before it, when a step could not be done). Exits
0 when every step ran (whatever the portal answered), 1 when one could not.
"""

import argparse
import json
import logging
import os
import sys
import time
import traceback
from datetime import datetime, timedelta, timezone

# The HTTP exchanges TOM Toolkit makes, as urllib3 logs them ("GET /api/profile/ HTTP/1.1" 404 57),
# so a failure can say which call failed and how: read from the log, nothing is patched.
HTTP_TRAIL = []


class _TrailHandler(logging.Handler):
    def emit(self, record):
        message = record.getMessage()
        if '"' in message and ' HTTP/' in message:
            HTTP_TRAIL.append(message)


def record_http_exchanges():
    logger = logging.getLogger('urllib3.connectionpool')
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(_TrailHandler())


class StepFailed(Exception):
    """A step that could not be done: what it was, why, and what the portal answered."""

    def __init__(self, step, error, status=None, body=None):
        super().__init__(f'{step}: {error}')
        self.step = step
        self.error = error
        self.status = status
        self.body = body


def progress(message):
    print(message, flush=True)


def describe(error):
    """(error text, HTTP status, response body) for an exception raised by TOM Toolkit's calls."""
    import requests
    from django import forms
    from tom_common.exceptions import ImproperCredentialsException

    if isinstance(error, requests.HTTPError) and error.response is not None:
        response = error.response
        return (f'{response.request.method} {response.url} answered {response.status_code}',
                response.status_code, response.text[:4000])
    if isinstance(error, ImproperCredentialsException):
        # ocs.make_request raises this for 401-403 with the body as its message.
        return ('the portal refused the token (401-403): ' + str(error)[:4000], _last_status(), str(error)[:4000])
    if isinstance(error, forms.ValidationError):
        # ocs.make_request raises this for a 400 with the body as its message.
        text = '; '.join(error.messages)
        return ('the portal answered 400: ' + text[:4000], 400, text[:4000])
    if isinstance(error, requests.ConnectionError):
        return (f'could not connect: {error}', None, None)
    return (f'{type(error).__name__}: {error}', _last_status(), None)


def _last_status():
    if not HTTP_TRAIL:
        return None
    try:
        return int(HTTP_TRAIL[-1].rsplit('" ', 1)[1].split()[0])
    except (IndexError, ValueError):
        return None


def step(name, call):
    """Runs one TOM Toolkit call; a failure becomes a StepFailed naming the step."""
    try:
        return call()
    except StepFailed:
        raise
    except Exception as error:  # any failure of TOM's code or the portal's answer ends the run
        text, status, body = describe(error)
        logging.getLogger('tom_ocs_client').debug(traceback.format_exc())
        raise StepFailed(name, text, status, body)


def flatten_errors(errors, path=''):
    """["requests.0.windows.0.start: message", ...] from the portal's nested error dict."""
    flat = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat += flatten_errors(value, f'{path}.{key}' if path else str(key))
    elif isinstance(errors, list):
        if all(isinstance(item, str) for item in errors):
            flat += [f'{path}: {item}' for item in errors]
        else:
            for index, item in enumerate(errors):
                flat += flatten_errors(item, f'{path}.{index}' if path else str(index))
    elif errors not in (None, '', {}):
        flat.append(f'{path}: {errors}')
    return flat


def configure_django(portal, archive, token, workdir):
    """A TOM's settings, as tom_setup writes them, with the OCS facility the only one."""
    import django
    from django.conf import settings
    from tom_common import default_settings as tom_defaults

    defaults = {name: getattr(tom_defaults, name) for name in dir(tom_defaults) if name.isupper()}
    settings.configure(
        **defaults,
        SECRET_KEY='starling-tom-client-test-only',
        DEBUG=False,
        ALLOWED_HOSTS=['testserver', 'localhost'],
        TOM_NAME='starling-tom-client',
        INSTALLED_APPS=tom_defaults.TOMTOOLKIT_INSTALLED_APPS,
        MIDDLEWARE=tom_defaults.TOMTOOLKIT_MIDDLEWARE,
        SITE_ID=1,
        ROOT_URLCONF='tom_common.urls',
        TEMPLATES=[{
            'BACKEND': 'django.template.backends.django.DjangoTemplates',
            'DIRS': [],
            'APP_DIRS': True,
            'OPTIONS': {'context_processors': [
                'django.template.context_processors.request',
                'django.contrib.auth.context_processors.auth',
                'django.contrib.messages.context_processors.messages',
            ]},
        }],
        CRISPY_TEMPLATE_PACK='bootstrap5',
        DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.path.join(workdir, 'tom.sqlite3')}},
        DEFAULT_AUTO_FIELD='django.db.models.AutoField',
        LANGUAGE_CODE='en-us',
        TIME_ZONE='UTC',
        USE_I18N=True,
        USE_TZ=True,
        STATIC_URL='/static/',
        STATIC_ROOT=os.path.join(workdir, '_static'),
        MEDIA_ROOT=os.path.join(workdir, 'data'),
        MEDIA_URL='/data/',
        CACHES={'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}},
        TASKS={'default': {'BACKEND': 'django_tasks.backends.immediate.ImmediateBackend'}},
        LOGGING={
            'version': 1,
            'disable_existing_loggers': False,
            'handlers': {'stderr': {'class': 'logging.StreamHandler', 'stream': 'ext://sys.stderr'}},
            'root': {'handlers': ['stderr'], 'level': 'WARNING'},
            'loggers': {'tom_observations': {'level': 'INFO'}, 'tom_dataproducts': {'level': 'INFO'}},
        },
        TARGET_TYPE='SIDEREAL',
        FACILITIES={'OCS': {'portal_url': portal, 'archive_url': archive, 'api_key': token}},
        TOM_FACILITY_CLASSES=['tom_observations.facilities.ocs.OCSFacility'],
        DATA_PRODUCT_TYPES={
            'photometry': ('photometry', 'Photometry'),
            'fits_file': ('fits_file', 'FITS File'),
            'spectroscopy': ('spectroscopy', 'Spectroscopy'),
            'image_file': ('image_file', 'Image File'),
        },
        DATA_PROCESSORS={
            'photometry': 'tom_dataproducts.processors.photometry_processor.PhotometryProcessor',
            'spectroscopy': 'tom_dataproducts.processors.spectroscopy_processor.SpectroscopyProcessor',
        },
        HOOKS={
            'target_post_save': 'tom_common.hooks.target_post_save',
            'observation_change_state': 'tom_common.hooks.observation_change_state',
            'data_product_post_upload': 'tom_dataproducts.hooks.data_product_post_upload',
            'data_product_post_save': 'tom_dataproducts.hooks.data_product_post_save',
            'multiple_data_products_post_save': 'tom_dataproducts.hooks.multiple_data_products_post_save',
        },
        EXTRA_FIELDS=[],
        GENERAL_SEARCH_FUNCTIONS={},
        SELECTION_EXTRA_FIELDS=[],
        MATCH_MANAGERS={},
        AUTH_STRATEGY='READ_ONLY',
        OPEN_URLS=[],
        TARGET_PERMISSIONS_ONLY=True,
        TARGET_DEFAULT_PERMISSION='PRIVATE',
        AUTO_THUMBNAILS=False,
        THUMBNAIL_MAX_SIZE=(0, 0),
        THUMBNAIL_DEFAULT_SIZE=(200, 200),
        HINTS_ENABLED=False,
        HINT_LEVEL=20,
    )
    django.setup()
    from django.core.management import call_command
    call_command('migrate', verbosity=0, interactive=False)


def utc_text(moment):
    """`2026-11-23T21:30:00Z` for an aware datetime (None for None)."""
    return moment.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ') if moment else None


def observatory_now(portal, token):
    """The observatory's clock, from Starling's own `/api/network` (not an OCS call)."""
    import requests
    from dateutil.parser import isoparse

    response = requests.get(portal.rstrip('/') + '/api/network', headers={'Authorization': f'Bearer {token}'}, timeout=60)
    response.raise_for_status()
    return isoparse(response.json()['now']).astimezone(timezone.utc)


class TOMClient:
    """A TOM user's session: one user, one target, TOM Toolkit's OCS facility and its form."""

    FACILITY = 'OCS'
    OBSERVATION_TYPE = 'ALL'

    def __init__(self, args):
        from django.contrib.auth.models import User
        from tom_observations.cadence import CadenceForm
        from tom_observations.facility import get_service_class
        from tom_targets.models import Target

        self.args = args
        self.user = User.objects.create_user(username='observer', password='starling-tom-client')
        self.target = Target.objects.create(
            name=args.target_name, type=Target.SIDEREAL, ra=args.ra, dec=args.dec, epoch=2000.0)
        # As ObservationCreateView.dispatch and get_form_class do.
        self.facility = get_service_class(self.FACILITY)()
        self.facility.set_user(self.user)
        self.form_class = type(f'Composite{self.OBSERVATION_TYPE}Form',
                               (self.facility.get_form(self.OBSERVATION_TYPE), CadenceForm), {})

    def form(self, data=None):
        initial = {'target_id': self.target.id, 'facility': self.FACILITY, 'observation_type': self.OBSERVATION_TYPE}
        if data is None:
            return self.form_class(initial=initial, facility=self.facility)
        return self.form_class(data=data, facility=self.facility)

    def choose(self):
        """Proposal, instrument, filter and configuration type, from what TOM's form fetched."""
        from tom_observations.facilities.ocs import OCSSettings

        form = step('build the observation form (GET /api/profile/ and /api/instruments/)', self.form)
        proposals = [(str(code), label) for code, label in form.fields['proposal'].choices]
        instruments = step('read the instruments (GET /api/instruments/)', form._get_instruments)
        # TOM swallows 401/403 here: proposal_choices() answers "No proposals found" and
        # _get_instruments() its default instrument. Say so instead of going on with them.
        if proposals == [('0', 'No proposals found')] or instruments == OCSSettings.default_instrument_config:
            raise StepFailed('build the observation form', 'the portal refused the token: TOM fell back to its '
                             '"No proposals found" / "No Instrument Found" defaults', _last_status(), None)
        if not proposals:
            raise StepFailed('choose a proposal', "the portal's /api/profile/ lists no current proposal for this token")
        schedulable_types = {code for code, _ in form.configuration_type_choices()}
        chosen = None
        # As an observer would: the imager on the most telescopes (Starling lists them), so the
        # observation goes wherever it is dark soonest.
        choices = sorted(form.instrument_choices(), key=lambda choice: -len(instruments[choice[0]].get('telescopes', [])))
        for code, _ in choices:
            instrument = instruments[code]
            filters = [f for f in instrument.get('optical_elements', {}).get('filters', []) if f.get('schedulable')]
            configuration_type = form.instrument_to_default_configuration_type(code)
            if instrument.get('type') == 'IMAGE' and filters and configuration_type in schedulable_types:
                default = next((f for f in filters if f.get('default')), filters[0])
                chosen = (code, default['code'], configuration_type)
                break
        if chosen is None:
            raise StepFailed('choose an instrument', 'no IMAGE instrument with a schedulable filter and a schedulable '
                             f'default configuration type in /api/instruments/: {json.dumps(instruments)[:2000]}')
        self.proposal = proposals[0][0]
        self.instrument_type, self.filter, self.configuration_type = chosen
        return {'proposals': proposals, 'instruments': sorted(instruments), 'proposal': self.proposal,
                'instrument_type': self.instrument_type, 'filter': self.filter,
                'configuration_type': self.configuration_type}

    def form_data(self, name, start, end):
        """What TOM's observation page posts for one configuration of one exposure set."""
        return {
            'facility': self.FACILITY,
            'target_id': str(self.target.id),
            'observation_type': self.OBSERVATION_TYPE,
            'cadence_strategy': '',
            'name': name,
            'proposal': self.proposal,
            'ipp_value': '1.05',
            'observation_mode': 'NORMAL',
            'optimization_type': 'TIME',
            'configuration_repeats': '1',
            'start_0': start.date().isoformat(), 'start_1': start.strftime('%H:%M:%S'),
            'end_0': end.date().isoformat(), 'end_1': end.strftime('%H:%M:%S'),
            'c_1_instrument_type': self.instrument_type,
            'c_1_configuration_type': self.configuration_type,
            'c_1_max_airmass': '2.0',
            'c_1_ic_1_exposure_count': str(self.args.exposure_count),
            'c_1_ic_1_exposure_time': str(self.args.exposure_time),
            'c_1_ic_1_filter': self.filter,
        }

    def submit(self, name, start, end):
        """Validates the form at the portal and submits it, as the view does on 'Submit'."""
        from tom_observations.models import ObservationRecord

        form = self.form(self.form_data(name, start, end))
        valid = step(f'validate "{name}" (POST /api/requestgroups/validate/ from form.is_valid())', form.is_valid)
        if not valid:
            raise StepFailed(f'validate "{name}"', 'the form is not valid: ' + json.dumps(form.errors.get_json_data()))
        payload = form.observation_payload()
        ids = step(f'submit "{name}" (POST /api/requestgroups/)', lambda: self.facility.submit_observation(payload))
        if len(ids) != 1:
            raise StepFailed(f'submit "{name}"', f'one request was submitted, the portal answered request ids {ids}')
        record = ObservationRecord.objects.create(
            target=self.target, user=self.user, facility=self.facility.name,
            parameters=form.serialize_parameters(), observation_id=ids[0])
        progress(f'submitted "{name}": request {ids[0]} ({form.get_validation_message()})')
        return form, payload, record

    def refresh(self, record):
        step(f'status of request {record.observation_id} (GET /api/requests/{record.observation_id} and '
             f'/api/requests/{record.observation_id}/observations/)',
             lambda: self.facility.update_observation_status(record.observation_id))
        record.refresh_from_db()
        return record.status


def fits_summary(path):
    """What a saved data product is: a FITS image, its size and the header cards a TOM reads."""
    from astropy.io import fits

    summary = {'bytes': os.path.getsize(path)}
    with open(path, 'rb') as handle:
        summary['fits_signature'] = handle.read(9) == b'SIMPLE  ='
    try:
        with fits.open(path) as hdus:
            primary = hdus[0].header
            image = next((hdu for hdu in hdus if hdu.is_image and hdu.data is not None), None)
            header = image.header if image is not None else primary
            summary['fits'] = image is not None
            summary['naxis1'] = header.get('NAXIS1')
            summary['naxis2'] = header.get('NAXIS2')
            cards = {}
            for keyword in ['DATE-OBS', 'OBJECT', 'RA', 'DEC', 'FILTER', 'EXPTIME', 'TELESCOP', 'INSTRUME',
                            'OBSERVAT', 'ORIGIN', 'STRQID', 'STOBSID', 'STFRMID']:
                value = header.get(keyword, primary.get(keyword))
                if value is not None:
                    cards[keyword] = value
            summary['header'] = cards
            summary['merged_header'] = {**primary, **header}
    except (OSError, ValueError, TypeError) as error:
        summary['fits'] = False
        summary['error'] = f'{type(error).__name__}: {error}'
    return summary


def run(args, result):
    os.makedirs(args.workdir, exist_ok=True)
    step('configure Django and migrate the TOM database',
         lambda: configure_django(args.portal, args.archive or args.portal, args.token, args.workdir))
    progress(f'TOM ready in {args.workdir} (Django with SQLite), OCS facility at {args.portal}')
    deadline = time.monotonic() + args.deadline_seconds

    def now():
        return step("read the observatory clock (GET /api/network, Starling's own API)",
                    lambda: observatory_now(args.portal, args.token))

    tom = TOMClient(args)
    result['target'] = {'name': args.target_name, 'ra': args.ra, 'dec': args.dec}
    result.update(tom.choose())
    result['request'] = {'exposure_count': args.exposure_count, 'exposure_time': args.exposure_time}
    progress(f'the form offers proposals {[p for p, _ in result["proposals"]]} and instruments '
             f'{result["instruments"]}; chose {tom.proposal}, {tom.instrument_type} with filter {tom.filter}')

    # 1. The observation to be observed: a window from now (to the minute, as the form takes
    # it), three days long; the target is up at a dark site now, so it is observed at once.
    start = now().replace(second=0, microsecond=0)
    end = start + timedelta(days=3)
    form, payload, first = tom.submit('starling-tom-first', start, end)
    result['payload'] = payload
    result['window'] = {'start': utc_text(start), 'end': utc_text(end)}
    result['validation_message'] = form.get_validation_message()
    validated = step('validate the submitted payload again (POST /api/requestgroups/validate/)',
                     lambda: tom.facility.validate_observation(payload))
    result['validation'] = {'request_durations': validated.get('request_durations'),
                            'errors': flatten_errors(validated.get('errors'))}
    result['first'] = {'observation_id': str(first.observation_id), 'initial_state': tom.refresh(first)}

    # 2. A second one, in a window days away (so still pending), cancelled.
    later = (now() + timedelta(days=2)).replace(second=0, microsecond=0)
    _, _, second = tom.submit('starling-tom-second', later, later + timedelta(days=1))
    state_before = tom.refresh(second)
    cancelled = step(f'cancel request {second.observation_id} (GET /api/requestgroups?request_id=, '
                     'POST /api/requestgroups/{id}/cancel/)',
                     lambda: tom.facility.cancel_observation(second.observation_id))
    result['second'] = {'observation_id': str(second.observation_id), 'state_before_cancel': state_before,
                        'cancel_result': cancelled, 'final_state': tom.refresh(second)}
    progress(f'cancelled request {second.observation_id}: cancel answered {cancelled}, '
             f'status now {second.status}')

    # 3. Bad requests. A window in the past, through the form, as a TOM user would be told.
    past = now() - timedelta(days=2)
    bad_form = tom.form(tom.form_data('starling-tom-past-window', past, past + timedelta(days=1)))
    step('full_clean the past-window form', bad_form.full_clean)
    bad_payload = bad_form.observation_payload()
    raw = step('validate a window in the past (POST /api/requestgroups/validate/)',
               lambda: tom.facility.validate_observation(bad_payload))
    form_valid = step('validate a window in the past through the form', bad_form.is_valid)
    result['bad_window'] = {'form_valid': form_valid, 'form_errors': bad_form.errors.get_json_data(),
                            'portal_errors': raw.get('errors'), 'error_paths': flatten_errors(raw.get('errors'))}
    # An unknown filter, straight to the facility: validation, then submission.
    unknown = json.loads(json.dumps(payload))
    for configuration in unknown['requests'][0]['configurations']:
        for instrument_config in configuration['instrument_configs']:
            instrument_config['optical_elements']['filter'] = 'no-such-filter'
    raw = step('validate an unknown filter (POST /api/requestgroups/validate/)',
               lambda: tom.facility.validate_observation(unknown))
    refused = {'refused': False}
    try:
        ids = tom.facility.submit_observation(unknown)
        refused['accepted_ids'] = ids
    except Exception as error:  # what TOM raises for the portal's refusal is what we report
        text, status, body = describe(error)
        refused = {'refused': True, 'status': status, 'error': text}
    result['bad_filter'] = {'portal_errors': raw.get('errors'), 'error_paths': flatten_errors(raw.get('errors')),
                            'submit': refused}
    progress(f'refused as expected? past window: {result["bad_window"]["error_paths"]}; '
             f'unknown filter: {result["bad_filter"]["error_paths"]}, submit {refused}')

    # 4. Facility status, as TOM's facility-status panel reads it.
    result['facility_status'] = step('facility status (GET /api/telescope_states/)',
                                     lambda: facility_status(args.sites))
    states_calls = [line for line in HTTP_TRAIL if '/api/telescope_states/' in line]
    result['telescope_states_status'] = _status_of(states_calls[-1]) if states_calls else None

    # 5. The first observation, polled until it ends, and its data products.
    states = [result['first']['initial_state']]
    progress(f'request {first.observation_id}: {states[-1]}')
    terminal = tom.facility.get_terminal_observing_states()
    polls = 0
    while first.status not in terminal and time.monotonic() < deadline:
        time.sleep(args.poll_seconds)
        polls += 1
        status = tom.refresh(first)
        if status != states[-1]:
            states.append(status)
            progress(f'request {first.observation_id}: {status} (observatory time {now().isoformat()}, '
                     f'scheduled {first.scheduled_start} to {first.scheduled_end})')
        elif polls % 15 == 0:
            progress(f'request {first.observation_id}: still {status} (observatory time {now().isoformat()})')
    result['first'].update({
        'states': states, 'final_state': first.status, 'polls': polls,
        'scheduled_start': utc_text(first.scheduled_start),
        'scheduled_end': utc_text(first.scheduled_end),
        'deadline_reached': first.status not in terminal,
    })
    products = []
    if first.status in tom.facility.facility_settings.get_successful_observing_states():
        # The archive may list a frame a moment after the request completes, as LCO's does.
        wanted = args.exposure_count
        while True:
            products = step(f'save the data products of request {first.observation_id} '
                            f'(GET /frames/?REQNUM={first.observation_id}, then each frame\'s url)',
                            lambda: tom.facility.save_data_products(first))
            if len(products) >= wanted or time.monotonic() >= deadline:
                break
            progress(f'the archive lists {len(products)} of {wanted} frames so far')
            time.sleep(args.poll_seconds)
    result['data_products'] = [product_summary(tom.facility, product) for product in products]
    if products:
        # The observation's page: what the archive lists, each saved or not.
        listing = step(f'list the data products of request {first.observation_id} as its page does '
                       f'(GET /frames/?REQNUM={first.observation_id})', lambda: tom.facility.all_data_products(first))
        result['all_data_products'] = {'saved': len(listing['saved']), 'unsaved': len(listing['unsaved'])}
        # Saving one chosen product, as the page's "Save selected" does, reads /frames/{id}/.
        chosen = str(products[0].product_id)
        try:
            again = tom.facility.save_data_products(first, product_id=chosen)
            result['save_one'] = {'product_id': chosen, 'returned': [str(p.product_id) for p in again]}
        except Exception as error:  # reported, not fatal: the other checks stand on their own
            text, status, body = describe(error)
            result['save_one'] = {'product_id': chosen, 'error': text, 'status': status, 'body': body}
    for product in result['data_products']:
        progress(f'data product {product["filename"]}: {product["bytes"]} bytes, FITS {product.get("fits")}, '
                 f'{product.get("naxis1")}x{product.get("naxis2")}, {product.get("header")}')


def product_summary(facility, product):
    summary = {'product_id': str(product.product_id), 'filename': os.path.basename(product.data.name)}
    summary.update(fits_summary(product.data.path))
    header = summary.pop('merged_header', None)
    if header is not None:
        summary['tom_date_obs'] = str(facility.get_date_obs_from_fits_header(header))
        summary['tom_is_fits_facility'] = facility.is_fits_facility(header)
    return summary


def facility_status(sites):
    """get_facility_status() of the stock facility, and of one that names the observatory's sites.

    OCSSettings.get_sites() is empty, and get_facility_status() keeps only the telescopes of the
    sites it names, so the stock facility always reports none; a TOM that uses an OCS
    observatory names its sites in an OCSSettings subclass, as TOM's LCOSettings does.
    """
    from tom_observations.facilities.ocs import OCSFacility, OCSSettings

    class ObservatorySettings(OCSSettings):
        def get_sites(self):
            return {code: {'sitecode': code} for code in sites}

    return {'stock': OCSFacility().get_facility_status(),
            'with_sites': OCSFacility(facility_settings=ObservatorySettings('OCS')).get_facility_status()}


def _status_of(line):
    try:
        return int(line.rsplit('" ', 1)[1].split()[0])
    except (IndexError, ValueError):
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--portal', required=True, help='the observation portal, e.g. http://127.0.0.1:8080')
    parser.add_argument('--archive', help='the archive (default: the portal)')
    parser.add_argument('--token', required=True, help="the API key TOM sends as 'Authorization: Token KEY'")
    parser.add_argument('--workdir', required=True, help="where the TOM's SQLite database and data products go")
    parser.add_argument('--deadline-seconds', type=float, default=600,
                        help='how long (real seconds) to wait for the first observation to end')
    parser.add_argument('--poll-seconds', type=float, default=1.0, help='real seconds between status polls')
    parser.add_argument('--sites', default='', help="the observatory's site codes, comma-separated, for the facility status")
    # M2: up in the European evening in late November, and 90° from the near-full Moon (M33,
    # 33° from it, fails the form's 30° lunar distance until the next day).
    parser.add_argument('--target-name', default='M2')
    parser.add_argument('--ra', type=float, default=323.362500, help='ICRS right ascension, degrees')
    parser.add_argument('--dec', type=float, default=-0.823333, help='ICRS declination, degrees')
    parser.add_argument('--exposure-time', type=float, default=30.0, help='seconds')
    parser.add_argument('--exposure-count', type=int, default=2)
    args = parser.parse_args()
    args.portal = args.portal.rstrip('/')
    args.sites = [site for site in args.sites.split(',') if site]

    record_http_exchanges()
    result = {'ok': False, 'portal': args.portal}
    status = 1
    try:
        run(args, result)
        result['ok'] = True
        status = 0
    except StepFailed as failure:
        result.update({'failed_step': failure.step, 'error': failure.error, 'status': failure.status,
                       'body': failure.body})
        progress(f'FAILED: {failure.step}: {failure.error}' + (f'\n{failure.body}' if failure.body else ''))
    except Exception as error:  # an error of this script itself: still end with the JSON line
        result.update({'failed_step': 'tom_ocs_client.py', 'error': f'{type(error).__name__}: {error}',
                       'traceback': traceback.format_exc()})
        progress('FAILED: ' + traceback.format_exc())
    result['http'] = HTTP_TRAIL[-40:]
    print(json.dumps(result, default=str), flush=True)
    return status


if __name__ == '__main__':
    sys.exit(main())
