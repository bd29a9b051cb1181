// Seed "Archive or delete template" first sample; only the token, ids and host now come from
// the environment.
const accessToken = process.env.TOKEN;
const orgId = process.env.ORG_ID;
const checklistId = process.env.CHECKLIST_ID;
const apiUrl = `${process.env.BASE}/organizations/${orgId}/checklists/${checklistId}`;
const headers = new Headers();
headers.append('Authorization', `Bearer ${accessToken}`);
headers.append('Accept', 'application/json');
headers.append('X-Tallyfy-Client', 'APIClient');
fetch(apiUrl, {
method: 'DELETE', // Use DELETE method
headers: headers
})
.then(response => {
if (!response.ok) { // Check for 200 OK
// Try to get error details
return response.json().then(errData => {
throw new Error(`HTTP error! status: ${response.status}, message: ${JSON.stringify(errData)}`);
}).catch(() => {
throw new Error(`HTTP error! status: ${response.status}`);
});
}
// For successful DELETE, often there's no JSON body, but check status
console.log(`Successfully archived template ${checklistId}. Status: ${response.status}`);
// Optionally return response.json() if the API sends back the archived object
return response.json();
})
.then(data => {
if (data) {
console.log('Archived template details:');
console.log(JSON.stringify(data, null, 2));
}
})
.catch(error => {
console.error('Error archiving template:', error);
});
