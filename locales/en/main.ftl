# The bridge's pages in English. Every other catalog has exactly these messages, with the same
# variables. Texts are plain: the pages escape them.

## Every page

# $status (String) - the HTTP status code, such as 404.
page-status = Error { $status }

## Consent

# $client (String) - the application's name.
consent-title = Authorize { $client }
consent-heading = { $client } wants to access your account
# $account (String) - the signed-in account: an email address or an identifier.
consent-account = Signed in as { $account }
consent-scopes = This will allow { $client } to:
consent-remember = Remember this decision
consent-deny = Deny
consent-allow = Allow

## Scope descriptions on the consent page

scope-openid = Sign you in with your account
scope-profile = Your name and basic profile details
scope-email = Your email address
scope-phone = Your phone number
scope-address = Your postal address
scope-offline_access = Keep access while you are not using it (stay signed in)
# $scope (String) - a scope without a description of its own.
scope-other = Access to “{ $scope }”

## Logout

logout-title = Log out
# $client (String) - the application's name.
logout-heading-client = Log out of { $client }?
logout-text-client = You will be signed out of { $client } and of your account here.
logout-heading = Log out?
logout-text = You will be signed out of your account here and of the applications you used it with.
logout-cancel = No, stay signed in
logout-confirm = Yes, log out
logout-cancelled-title = You are still signed in
logout-cancelled-message = You chose not to log out.
logout-cancelled-continue = Continue
logout-failed-title = You are still signed in
logout-failed-message = Logging you out did not work: you are still signed in to your account here, and the application was not told you left. Please try again in a moment.
logout-failed-retry = Try again to log out
logout-done-title = You are signed out
logout-done-message = This sign-out is already complete. You can close this page.

## Device sign-in

device-title = Connect a device
device-heading = Sign in on your device
device-intro = Enter the code your TV, console or other device shows, and check that it matches.
device-code-label = Code
device-continue = Continue
device-hint-digits = Spaces and dashes do not matter.
device-hint-case-sensitive = Type it exactly as shown: capital and small letters are different. Spaces and dashes do not matter.
device-hint-any-case = Capital or small letters, spaces and dashes do not matter.
device-code-missing = Enter the code shown on your device.
# $tries (Number) - how many more codes may be entered.
device-code-wrong =
    That code did not work. Check the code on your device (it may have expired) and try again. { $tries ->
        [one] { $tries } more try left.
       *[other] { $tries } more tries left.
    }
# $seconds (Number) - how long to wait before trying again.
device-code-busy =
    Too many wrong codes have been entered here recently, so this code was not checked. { $seconds ->
        [one] Wait { $seconds } second, then try again.
       *[other] Wait { $seconds } seconds, then try again.
    }
device-too-many-title = Too many wrong codes
device-too-many-message = Start again on your device to get a new code, then enter that one here.
device-success-title = Device connected
device-success-heading = You are signed in on your device
# $client (String) - the application's name.
device-success-client = You signed in to { $client } on your device.
device-success-close = You can close this page and go back to your device.

## Error pages

# $flow (String) - which request: login, consent, logout or device.
error-unknown-request-title = Unknown request
error-unknown-request-message =
    { $flow ->
        [login] This sign-in request is not known.
        [consent] This consent request is not known.
        [logout] This sign-out request is not known.
        [device] This device request is not known.
       *[other] This request is not known.
    } Go back to the application and start again.
error-expired-title = This request has expired
error-expired-message =
    { $flow ->
        [login] This sign-in request expired.
        [consent] This consent request expired.
        [logout] This sign-out request expired.
        [device] This device request expired.
       *[other] This request expired.
    } Go back to the application and try again.
error-bad-link-title = This link is not valid
error-bad-link-message = The sign-in link is incomplete or damaged. Go back to the application and start again.
error-no-external-id-title = Account not ready for this application
error-no-external-id-message = Your account has no external identifier yet, which this application requires. Please contact support.
error-reauth-title = Sign-in did not complete
error-reauth-message = This application asked you to confirm your sign-in, and it was not confirmed.
error-reauth-retry = Sign in again
error-form-expired-title = This form has expired
error-form-expired-message = For your security this form can no longer be used. Go back to the application and start again.
error-form-unreadable-title = This form could not be read
error-form-unreadable-message = The form sent to this page was not one it accepts. Go back to the application and start again.
error-not-found-title = Page not found
error-not-found-message = There is nothing at this address.
error-method-title = Method not allowed
error-method-message = This page cannot be used that way.
error-timeout-title = Sign-in is taking too long
error-timeout-message = A service the sign-in depends on did not answer in time. Please try again in a moment.
error-internal-title = Something went wrong
error-internal-message = An unexpected error occurred. Please try again.
error-unavailable-title = Sign-in is unavailable
error-unavailable-message = A service the sign-in depends on is not working right now. Please try again in a moment.
error-completed-title = This request is already complete
error-completed-message = Go back to the application and start again if you need to.

## The error page Hydra sends the browser to, by OAuth2 error code

oauth-title = Sign-in could not be completed
oauth-home = Back to the start
oauth-access_denied = The request was denied, by you or by the service.
oauth-invalid_request = The application sent a request that could not be handled.
oauth-invalid_client = The application is not allowed to sign you in this way.
oauth-invalid_scope = The application asked for permissions it may not have.
oauth-unsupported = The application asked for a way of signing in that is not supported.
oauth-invalid_request_object = The application sent an invalid request object.
oauth-login_required = You need to sign in again.
oauth-consent_required = Your permission is needed to continue.
oauth-interaction_required = This sign-in needs you to take part in it.
oauth-account_selection_required = Please choose an account to continue.
oauth-request_unauthorized = This sign-in request has expired or is not allowed.
oauth-request_forbidden = This request is not allowed.
oauth-invalid_grant = The sign-in could not be confirmed. Please start again.
oauth-server_error = The sign-in service ran into a problem.
oauth-temporarily_unavailable = The sign-in service is temporarily unavailable. Please try again later.
oauth-other = Something prevented the sign-in from completing.

## Connected apps

apps-title = Connected apps
apps-heading = Applications with access to your account
apps-intro = You allowed these applications to use your account. You can withdraw their access at any time.
apps-none = No application has access to your account.
apps-former = Allowed before your account's identifier changed.
link-site = Website
link-policy = Privacy policy
link-terms = Terms of service
apps-scopes = It may:
# $date (String) - a date as apps-date writes it.
apps-given = Allowed on { $date }
apps-remembered-until = It will not ask for your permission again until { $date }.
apps-remembered-always = It will not ask for your permission again until you withdraw access.
apps-not-remembered = It asks for your permission each time you sign in.
# $day (Number) - the day of the month; $month (Number) - 1 to 12; $year (Number) - the year.
apps-date =
    { $month ->
        [1] January
        [2] February
        [3] March
        [4] April
        [5] May
        [6] June
        [7] July
        [8] August
        [9] September
        [10] October
        [11] November
       *[12] December
    } { $day }, { $year }
# $count (Number) - how many applications are not listed.
apps-more =
    { $count ->
        [one] One more application has access and is not listed here. “Withdraw access for all applications” includes it.
       *[other] { $count } more applications have access and are not listed here. “Withdraw access for all applications” includes them.
    }
apps-withdraw = Withdraw access
apps-withdraw-all = Withdraw access for all applications
apps-confirm-title = Withdraw access
# $client (String) - the application's name.
apps-confirm-heading = Withdraw access for { $client }?
apps-confirm-text = { $client } will no longer have access to your account: the tokens it holds stop working, and it will ask for your permission again the next time you use it.
apps-confirm-heading-all = Withdraw access for all applications?
apps-confirm-text-all = These applications will no longer have access to your account: the tokens they hold stop working, and each will ask for your permission again the next time you use it.
# $count (Number) - how many applications the list above leaves out.
apps-confirm-more =
    { $count ->
        [one] And one more application.
       *[other] And { $count } more applications.
    }
apps-confirm-data = What an application has already stored about you stays with it. To have that deleted, contact the application.
apps-keep = Keep access
apps-done-title = Access withdrawn
# $client (String) - the application's name.
apps-done-one = { $client } no longer has access to your account.
apps-done-all = No application has access to your account any more.
apps-done-data = Data an application has already stored about you is not deleted by this. To have it deleted, contact the application.
apps-partly-title = Access was only partly withdrawn
apps-failed-title = Access was not withdrawn
apps-try-again = The service did not confirm every withdrawal. Please try again in a moment.
apps-withdrawn-list = These applications no longer have access:
apps-kept-list = The withdrawal was not confirmed for these applications; they may still have access:
apps-back = Back to your connected apps
apps-not-on-list = The application you chose has no access to your account any more, or was removed in the meantime. Nothing was changed.
apps-nothing = No application has access to your account, so there was nothing to withdraw.
apps-form-refused-title = Nothing was changed
apps-form-refused-message = This form could not be accepted: it has expired or did not come from this page. Open the list again and choose once more.
