# Las páginas del puente en español (tratamiento de usted).

## Todas las páginas

page-status = Error { $status }

## Consentimiento

consent-title = Autorizar a { $client }
consent-heading = { $client } quiere acceder a su cuenta
consent-account = Ha iniciado sesión como { $account }
consent-scopes = Esto permitirá a { $client }:
consent-remember = Recordar esta decisión
consent-deny = Denegar
consent-allow = Permitir

## Descripciones de los permisos

scope-openid = Iniciar su sesión con su cuenta
scope-profile = Su nombre y los datos básicos de su perfil
scope-email = Su dirección de correo electrónico
scope-phone = Su número de teléfono
scope-address = Su dirección postal
scope-offline_access = Mantener el acceso mientras no lo esté usando (seguir con la sesión iniciada)
scope-other = Acceso a «{ $scope }»

## Cierre de sesión

logout-title = Cerrar sesión
logout-heading-client = ¿Cerrar sesión en { $client }?
logout-text-client = Se cerrará su sesión en { $client } y en su cuenta aquí.
logout-heading = ¿Cerrar sesión?
logout-text = Se cerrará su sesión en su cuenta aquí y en las aplicaciones en las que la ha usado.
logout-cancel = No, mantener la sesión
logout-confirm = Sí, cerrar sesión
logout-cancelled-title = Su sesión sigue iniciada
logout-cancelled-message = Ha elegido no cerrar la sesión.
logout-cancelled-continue = Continuar
logout-failed-title = Su sesión sigue iniciada
logout-failed-message = No se ha podido cerrar la sesión: su sesión en su cuenta sigue iniciada aquí y la aplicación no ha sido informada de ningún cierre. Vuelva a intentarlo en un momento.
logout-failed-retry = Volver a intentar cerrar la sesión
logout-done-title = Ha cerrado la sesión
logout-done-message = Este cierre de sesión ya se ha completado. Puede cerrar esta página.

## Inicio de sesión en un dispositivo

device-title = Conectar un dispositivo
device-heading = Inicie sesión en su dispositivo
device-intro = Introduzca el código que muestra su televisor, consola u otro dispositivo, y compruebe que coincide.
device-code-label = Código
device-continue = Continuar
device-hint-digits = Los espacios y los guiones no importan.
device-hint-case-sensitive = Escríbalo exactamente como aparece: las mayúsculas y las minúsculas son distintas. Los espacios y los guiones no importan.
device-hint-any-case = Las mayúsculas, las minúsculas, los espacios y los guiones no importan.
device-code-missing = Introduzca el código que aparece en su dispositivo.
device-code-wrong =
    Ese código no ha funcionado. Compruebe el código en su dispositivo (puede que haya caducado) e inténtelo de nuevo. { $tries ->
        [one] Le queda { $tries } intento.
       *[other] Le quedan { $tries } intentos.
    }
# $seconds (Number) - how long to wait before trying again.
device-code-busy =
    Se han introducido demasiados códigos incorrectos aquí recientemente, así que este código no se ha comprobado. { $seconds ->
        [one] Espere { $seconds } segundo e inténtelo de nuevo.
       *[other] Espere { $seconds } segundos e inténtelo de nuevo.
    }
device-too-many-title = Demasiados códigos incorrectos
device-too-many-message = Vuelva a empezar en su dispositivo para obtener un código nuevo y luego introdúzcalo aquí.
device-success-title = Dispositivo conectado
device-success-heading = Ha iniciado sesión en su dispositivo
device-success-client = Ha iniciado sesión en { $client } desde su dispositivo.
device-success-close = Puede cerrar esta página y volver a su dispositivo.

## Páginas de error

error-unknown-request-title = Solicitud desconocida
error-unknown-request-message =
    { $flow ->
        [login] No se reconoce esta solicitud de inicio de sesión.
        [consent] No se reconoce esta solicitud de consentimiento.
        [logout] No se reconoce esta solicitud de cierre de sesión.
        [device] No se reconoce esta solicitud de dispositivo.
       *[other] No se reconoce esta solicitud.
    } Vuelva a la aplicación y empiece de nuevo.
error-expired-title = Esta solicitud ha caducado
error-expired-message =
    { $flow ->
        [login] Esta solicitud de inicio de sesión ha caducado.
        [consent] Esta solicitud de consentimiento ha caducado.
        [logout] Esta solicitud de cierre de sesión ha caducado.
        [device] Esta solicitud de dispositivo ha caducado.
       *[other] Esta solicitud ha caducado.
    } Vuelva a la aplicación e inténtelo de nuevo.
error-bad-link-title = Este enlace no es válido
error-bad-link-message = El enlace de inicio de sesión está incompleto o dañado. Vuelva a la aplicación y empiece de nuevo.
error-no-external-id-title = Cuenta no preparada para esta aplicación
error-no-external-id-message = Su cuenta todavía no tiene un identificador externo, y esta aplicación lo necesita. Póngase en contacto con el servicio de asistencia.
error-reauth-title = No se completó el inicio de sesión
error-reauth-message = Esta aplicación le pidió que confirmara su inicio de sesión, y no se confirmó.
error-reauth-retry = Volver a iniciar sesión
error-form-expired-title = Este formulario ha caducado
error-form-expired-message = Por su seguridad, este formulario ya no se puede usar. Vuelva a la aplicación y empiece de nuevo.
error-form-unreadable-title = No se pudo leer este formulario
error-form-unreadable-message = Esta página no acepta el formulario que se le ha enviado. Vuelva a la aplicación y empiece de nuevo.
error-not-found-title = Página no encontrada
error-not-found-message = No hay nada en esta dirección.
error-method-title = Método no permitido
error-method-message = Esta página no se puede usar de esa forma.
error-timeout-title = El inicio de sesión está tardando demasiado
error-timeout-message = Un servicio del que depende el inicio de sesión no respondió a tiempo. Vuelva a intentarlo en un momento.
error-internal-title = Algo ha salido mal
error-internal-message = Se ha producido un error inesperado. Vuelva a intentarlo.
error-unavailable-title = El inicio de sesión no está disponible
error-unavailable-message = Un servicio del que depende el inicio de sesión no funciona en este momento. Vuelva a intentarlo en un momento.
error-completed-title = Esta solicitud ya se ha completado
error-completed-message = Vuelva a la aplicación y empiece de nuevo si lo necesita.

## La página de error a la que Hydra envía el navegador, por código de error de OAuth2

oauth-title = No se pudo completar el inicio de sesión
oauth-home = Volver al inicio
oauth-access_denied = La solicitud se ha denegado, por usted o por el servicio.
oauth-invalid_request = La aplicación envió una solicitud que no se pudo procesar.
oauth-invalid_client = La aplicación no tiene permiso para iniciar su sesión de esta forma.
oauth-invalid_scope = La aplicación solicitó permisos que quizá no le corresponden.
oauth-unsupported = La aplicación solicitó una forma de iniciar sesión que no se admite.
oauth-invalid_request_object = La aplicación envió un objeto de solicitud no válido.
oauth-login_required = Debe volver a iniciar sesión.
oauth-consent_required = Se necesita su permiso para continuar.
oauth-interaction_required = Este inicio de sesión requiere su participación.
oauth-account_selection_required = Elija una cuenta para continuar.
oauth-request_unauthorized = Esta solicitud de inicio de sesión ha caducado o no está permitida.
oauth-request_forbidden = Esta solicitud no está permitida.
oauth-invalid_grant = No se pudo confirmar el inicio de sesión. Empiece de nuevo.
oauth-server_error = El servicio de inicio de sesión ha tenido un problema.
oauth-temporarily_unavailable = El servicio de inicio de sesión no está disponible temporalmente. Vuelva a intentarlo más tarde.
oauth-other = Algo impidió que se completara el inicio de sesión.

## Aplicaciones conectadas

apps-title = Aplicaciones conectadas
apps-heading = Aplicaciones con acceso a su cuenta
apps-intro = Usted permitió que estas aplicaciones usaran su cuenta. Puede retirarles el acceso en cualquier momento.
apps-none = Ninguna aplicación tiene acceso a su cuenta.
apps-former = Permitida antes de que cambiara el identificador de su cuenta.
link-site = Sitio web
link-policy = Política de privacidad
link-terms = Condiciones de uso
apps-scopes = Puede:
apps-given = Permitida el { $date }
apps-remembered-until = No volverá a pedirle permiso hasta el { $date }.
apps-remembered-always = No volverá a pedirle permiso hasta que usted retire el acceso.
apps-not-remembered = Le pide permiso cada vez que usted inicia sesión.
apps-date =
    { $day } de { $month ->
        [1] enero
        [2] febrero
        [3] marzo
        [4] abril
        [5] mayo
        [6] junio
        [7] julio
        [8] agosto
        [9] septiembre
        [10] octubre
        [11] noviembre
       *[12] diciembre
    } de { $year }
apps-more =
    { $count ->
        [one] Otra aplicación tiene acceso y no aparece aquí. «Retirar el acceso a todas las aplicaciones» la incluye.
       *[other] Otras { $count } aplicaciones tienen acceso y no aparecen aquí. «Retirar el acceso a todas las aplicaciones» las incluye.
    }
apps-withdraw = Retirar el acceso
apps-withdraw-all = Retirar el acceso a todas las aplicaciones
apps-confirm-title = Retirar el acceso
apps-confirm-heading = ¿Retirar el acceso a { $client }?
apps-confirm-text = { $client } ya no tendrá acceso a su cuenta: sus tokens dejarán de funcionar y le volverá a pedir permiso la próxima vez que la use.
apps-confirm-heading-all = ¿Retirar el acceso a todas las aplicaciones?
apps-confirm-text-all = Estas aplicaciones ya no tendrán acceso a su cuenta: sus tokens dejarán de funcionar y cada una le volverá a pedir permiso la próxima vez que la use.
apps-confirm-more =
    { $count ->
        [one] Y una aplicación más.
       *[other] Y { $count } aplicaciones más.
    }
apps-confirm-data = Lo que una aplicación ya haya guardado sobre usted se queda en ella. Para que lo borre, póngase en contacto con la aplicación.
apps-keep = Mantener el acceso
apps-done-title = Acceso retirado
apps-done-one = { $client } ya no tiene acceso a su cuenta.
apps-done-all = Ninguna aplicación tiene ya acceso a su cuenta.
apps-done-data = Esto no borra los datos que una aplicación ya haya guardado sobre usted. Para ello, póngase en contacto con la aplicación.
apps-partly-title = El acceso solo se retiró en parte
apps-failed-title = El acceso no se retiró
apps-try-again = El servicio no confirmó todas las retiradas. Vuelva a intentarlo en un momento.
apps-withdrawn-list = Estas aplicaciones ya no tienen acceso:
apps-kept-list = No se confirmó la retirada para estas aplicaciones; puede que sigan teniendo acceso:
apps-back = Volver a sus aplicaciones conectadas
apps-not-on-list = La aplicación elegida ya no tiene acceso a su cuenta o se eliminó mientras tanto. No se ha cambiado nada.
apps-nothing = Ninguna aplicación tiene acceso a su cuenta; no había nada que retirar.
apps-form-refused-title = No se ha cambiado nada
apps-form-refused-message = No se pudo aceptar este formulario: ha caducado o no procede de esta página. Abra la lista de nuevo y vuelva a elegir.
